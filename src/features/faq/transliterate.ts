/**
 * A common sound key for a word written in Urdu script, Roman Urdu or English, so that
 * "رجسٹریشن", "rajistreshan" and "registration" meet on one key ("rjstrXn"), as do
 * "تصویر" / "tasveer" / "taswir" ("tsr") and "اکاؤنٹ" / "account" ("aknt").
 *
 * The key is a consonant skeleton over a small shared alphabet. Urdu script does not write
 * short vowels and Roman Urdu writes them every which way, so vowels are dropped on both
 * sides; a word that starts with a vowel keeps one `a` in front. و/ی (w/v/y) are vowels as
 * often as consonants, so they count only at the start of a word. Letters people use
 * interchangeably merge: ت ٹ ط (t), س ص ث ز ذ ض ظ (s: "business" / "بزنس"), ک ق خ (k:
 * Roman "kh" is both خ and کھ), گ غ (g), ح ہ ھ and h (dropped: aspiration is typed at
 * random), ش with "sh" and English "tion"/"sion" (X), چ with "ch" (C). English spellings are read as spoken where it
 * is cheap to do so: soft c and g, ph, ck, x, silent doubled letters.
 *
 * Standalone on purpose (no FAQ imports): place names, commands or keywords written in Urdu
 * script can be compared with their Roman spelling the same way.
 */

// Urdu-script letters (after Arabic keyboard letters are folded to Urdu ones) → key letter;
// "" for letters that carry a vowel or nothing.
const URDU: Record<string, string> = {
  ب: "b", پ: "p", ت: "t", ٹ: "t", ط: "t", ث: "s", س: "s", ص: "s", ز: "s", ذ: "s", ض: "s", ظ: "s", ژ: "s",
  ج: "j", چ: "C", ح: "", ہ: "", ھ: "", ۂ: "", ة: "", ه: "", خ: "k", ک: "k", ك: "k", ق: "k", گ: "g", غ: "g",
  د: "d", ڈ: "d", ر: "r", ڑ: "r", ف: "f", ل: "l", م: "m", ن: "n", ں: "n", ش: "X",
  ا: "", آ: "", أ: "", إ: "", ٱ: "", ع: "", ء: "", ئ: "", ؤ: "", و: "", ی: "", ي: "", ى: "", ے: "", ۓ: "",
};
// At the start of a word these are consonants.
const URDU_INITIAL: Record<string, string> = { و: "v", ؤ: "v", ی: "y", ي: "y" };
const URDU_VOWEL_START = new Set(["ا", "آ", "أ", "إ", "ٱ", "ع", "ئ"]);

const URDU_LETTERS = /[\u0600-\u06FF]/;

/** The sound key of one word in Urdu script (letters outside the table are ignored). */
function urduSoundKey(word: string): string {
  const first = word[0] ?? "";
  let out = URDU_VOWEL_START.has(first) ? "a" : (URDU_INITIAL[first] ?? "");
  const start = out === "" ? 0 : 1;
  for (let i = start; i < word.length; i++) out += URDU[word[i]!] ?? "";
  return squeeze(out);
}

const VOWELS = new Set(["a", "e", "i", "o", "u"]);
const SOFTENS = new Set(["e", "i", "y"]);

/**
 * The sound key of one Latin word (English or Roman Urdu), in one pass over its letters:
 * x → ks; tion/sion/tian/cian → Xn (not in front); sh → X; ch → C; ph → f; ck → k; c → s
 * before e/i/y, else k; q → k; g → j before e/y, or before an i that is not the last letter
 * (package, message, registration; not Roman "adaigi"); z → s; h dropped (aspiration, a
 * final h: typed at random). Then vowels go (one `a` marks a vowel in front), as do w/v/y
 * after the first letter, and doubled letters collapse. X and C are upper case so that
 * they never read as letters of the word.
 */
function latinSoundKey(word: string): string {
  const w = word.toLowerCase();
  let out = "";
  for (let i = 0; i < w.length; i++) {
    const ch = w[i]!;
    const next = w[i + 1];
    if (ch < "a" || ch > "z") continue;
    if (i > 0 && (ch === "t" || ch === "s" || ch === "c") && (w.startsWith("ion", i + 1) || w.startsWith("ian", i + 1))) {
      if (out.endsWith("t") || out.endsWith("s")) out = out.slice(0, -1); // ssion, ttion
      out += "Xn";
      i += 3;
      continue;
    }
    switch (ch) {
      case "x":
        out += "ks";
        break;
      case "s":
        if (next === "h") {
          out += "X";
          i += 1;
        } else out += "s";
        break;
      case "c":
        if (next === "h") {
          out += "C";
          i += 1;
        } else if (next === "k") {
          out += "k";
          i += 1;
        } else out += next !== undefined && SOFTENS.has(next) ? "s" : "k";
        break;
      case "p":
        if (next === "h") {
          out += "f";
          i += 1;
        } else out += "p";
        break;
      case "q":
        out += "k";
        break;
      case "g":
        out += i > 0 && (next === "e" || next === "y" || (next === "i" && i + 2 < w.length)) ? "j" : "g";
        break;
      case "z":
        out += "s";
        break;
      case "h":
        break;
      default:
        out += ch;
    }
  }
  if (out === "") return "";
  // w/v/y count as consonants only in front; "wh" is a w.
  let key = VOWELS.has(out[0]!) ? "a" : out[0] === "w" ? "v" : out[0]!;
  for (let i = 1; i < out.length; i++) {
    const ch = out[i]!;
    if (VOWELS.has(ch) || ch === "w" || ch === "v" || ch === "y" || ch === key[key.length - 1]) continue;
    key += ch;
  }
  return key;
}

/** Collapses doubled key letters ("kk" in "account" is one sound). */
function squeeze(key: string): string {
  return key.replace(/(.)\1+/g, "$1");
}

/**
 * The sound key of one word: Urdu script, Roman Urdu and English spellings of the same
 * word meet on one key. Digits and other scripts give "". A word's key drops one final
 * plural "s" when three or more key letters remain ("documents" / "ڈاکومنٹس" / "document").
 *
 * @example soundKey("رجسٹریشن") === soundKey("registration") // "rjstrXn"
 */
export function soundKey(word: string): string {
  let key = SOUND_CACHE.get(word);
  if (key !== undefined) return key;
  key = URDU_LETTERS.test(word) ? urduSoundKey(word) : latinSoundKey(word);
  if (key.length >= 4 && key.endsWith("s")) key = key.slice(0, -1);
  if (SOUND_CACHE.size >= 50_000) SOUND_CACHE.clear();
  SOUND_CACHE.set(word, key);
  return key;
}

// Words repeat a lot (in the knowledge base and in questions): remember their keys.
const SOUND_CACHE = new Map<string, string>();

/** True when two words sound alike by {@link soundKey} (and the key is not empty). */
export function soundsAlike(a: string, b: string): boolean {
  const ka = soundKey(a);
  return ka !== "" && ka === soundKey(b);
}

/** Number of consonants in a key (the leading vowel mark `a` is not one). */
export function keyStrength(key: string): number {
  return key.startsWith("a") ? key.length - 1 : key.length;
}

// English letter names as Urdu writes them ("ایف بی آر" is FBR), after the Urdu letter
// forms are folded (آ → ا, ئ → ی); see foldScript in normalize.ts. کے (K) is left out: it is
// the everyday postposition "ke".
const LETTER_NAMES = new Map(Object.entries({
  "اے": "a", "بی": "b", "سی": "c", "ڈی": "d", "ای": "e", "ایف": "f", "جی": "g", "ایچ": "h", "ایی": "i", "جے": "j",
  "ایل": "l", "ایم": "m", "این": "n", "او": "o", "پی": "p", "کیو": "q", "ار": "r", "ایس": "s", "ٹی": "t",
  "یو": "u", "وی": "v", "ڈبلیو": "w", "ایکس": "x", "وایی": "y", "زیڈ": "z",
}));
// Letter names that are also everyday Urdu words (سی "-ish", جی "yes", او "oh", پی "drink"):
// a run of them alone is not an acronym.
const COMMON_WORDS = new Set(["اے", "سی", "جی", "او", "یو", "پی"]);

/**
 * Joins acronyms that Urdu spells letter by letter into one Latin word ("ایف بی آر" → "fbr",
 * "این ٹی این" → "ntn", "سی ای" → "ce"), so they meet the acronym as sellers also type it.
 * A run needs two letter names, one of which is not also an everyday word. Takes and
 * returns folded, lower-case words.
 */
export function joinAcronyms(words: readonly string[]): string[] {
  let any = false;
  for (const w of words) if (LETTER_NAMES.has(w)) any = true;
  if (!any) return words as string[];
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    let j = i;
    let letters = "";
    let telling = false;
    for (let letter = LETTER_NAMES.get(words[j]!); letter !== undefined; letter = LETTER_NAMES.get(words[j] ?? "")) {
      if (!COMMON_WORDS.has(words[j]!)) telling = true;
      letters += letter;
      j += 1;
    }
    if (j - i >= 2 && telling) {
      out.push(letters);
      i = j;
    } else {
      out.push(words[i]!);
      i += 1;
    }
  }
  return out;
}
