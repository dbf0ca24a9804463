/**
 * Urdu word forms, in Urdu script and in Roman spelling: a verb or adjective is one stem with
 * many endings ("banana, banane, banaye, banata, banega, banwana, banun", "بنانا، بنائیں،
 * بنوانا، بنتا"; "sasta, sasti, saste"), and a seller's question rarely uses the form the
 * example used. {@link stemKey} strips the endings and returns the stem's sound key
 * (transliterate.ts), so that every form of a word, in either script, meets on one key:
 * "banaye", "banwane", "بنائیں" and "بنوانا" all give "bn".
 *
 * Only endings that carry consonants need stripping (ن of -na/-ne/-ni/-en/-un/-on, ت of
 * -ta/-te/-ti, گ of -ga/-gi/-ge); vowels, and the causative -wa- (w, و), vanish in the sound
 * key anyway. A stem key of fewer than two consonants says nothing and is not returned.
 *
 * Standalone on purpose (no FAQ imports besides the sound key).
 */
import { keyStrength, soundKey } from "./transliterate.ts";

// Roman endings (on word keys: w is already v, "ai"/"ei" before a consonant already "e"),
// longest first: the future (-enge, -unga, -ega), the infinitive and oblique (-na, -ne,
// -ni), the imperfective participle (-ta, -te, -ti), the subjunctive and polite imperative
// (-en, -un), the oblique plural of nouns (-on: "mulkon", "hafton").
const ROMAN_ENDINGS = ["enge", "engi", "unga", "ungi", "onga", "ongi", "nge", "ngi", "nga", "en", "un", "on", "na", "ne", "ni", "ta", "te", "ti", "ga", "gi", "ge"];
// The same in Urdu script (on word keys: ے is ی, ں is ن, ھ is ہ).
const URDU_ENDINGS = ["نا", "نی", "تا", "تی", "ین", "ون", "ؤن", "گا", "گی"];

const URDU_LETTER = /[\u0600-\u06FF]/;
const LATIN_WORD = /^[a-z]+$/;

/**
 * The word (a word key, normalize.ts) without its inflectional ending, when at least three
 * letters (two in Urdu script, which leaves short vowels out) remain.
 */
export function stem(word: string): string {
  const [endings, min] = URDU_LETTER.test(word) ? [URDU_ENDINGS, 2] : LATIN_WORD.test(word) ? [ROMAN_ENDINGS, 3] : [[], 0];
  // English "-ion" ("registration") is not the Urdu oblique plural "-on" ("mulkon").
  if (word.endsWith("ion")) return word;
  for (const e of endings) if (word.endsWith(e) && word.length - e.length >= min) return word.slice(0, -e.length);
  return word;
}

const CACHE = new Map<string, string>();

/**
 * The stem's sound key: one key for every form of a word in Urdu script or Roman spelling,
 * or "" when the stem has fewer than two consonants (too short to tell words apart).
 *
 * @example stemKey("banwane") === stemKey("بنائیں") // "bn"
 */
export function stemKey(word: string): string {
  let key = CACHE.get(word);
  if (key !== undefined) return key;
  const s = soundKey(stem(word));
  key = keyStrength(s) >= 2 ? s : "";
  if (CACHE.size >= 50_000) CACHE.clear();
  CACHE.set(word, key);
  return key;
}
