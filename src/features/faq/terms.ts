/**
 * From a text to the terms the FAQ matcher compares: normalised word keys (normalize.ts),
 * lexicon concepts (lexicon.ts) and sound keys (transliterate.ts). The knowledge base and
 * every question go through the same {@link Analyzer}, so a rule only has to map variants
 * onto the same term, never onto a "correct" spelling.
 */
import { conceptTerm, type ConceptFinder } from "./lexicon.ts";
import { isStopKey, keyedWords, MAX_MATCH_CHARS } from "./normalize.ts";
import { stemKey } from "./morphology.ts";
import { keyStrength, soundKey } from "./transliterate.ts";

/** One meaningful word (or phrase) of a text. */
export interface Term {
  /** The word's key; for a lexicon phrase of several words, their keys joined. */
  term: string;
  /** `@concept` when the word is a one-word member of a lexicon concept. */
  concept: string | null;
  /** The word's sound key (transliterate.ts), when it has one strong enough to compare. */
  readonly sound: Sound | null;
  /**
   * The index term of the word's stem (morphology.ts: every form of a verb or adjective, in
   * either script, meets there), or null.
   */
  readonly stem: string | null;
  /** True for a lexicon phrase of several words. */
  phrase: boolean;
}

/** A word's sound key and its index terms in the word's own script and in the other. */
export interface Sound {
  key: string;
  urdu: boolean;
  /** Consonants in the key. */
  strength: number;
  /** {@link soundTerm} in the word's own script (what the index stores). */
  own: string;
  /** {@link soundTerm} in the other script (what a question looks up across scripts). */
  other: string;
  /** The key without its script (`~key`): what the classifier compares (classifier.ts). */
  shared: string;
}

/** Turns a text into its terms. `maxChars` cuts questions; the index passes Infinity. */
export type Analyzer = (text: string, maxChars?: number) => Term[];

/**
 * Minimum consonants in a sound key before words of different scripts may meet on it
 * ("تصویر" / "tasveer": tsr), and before words of the same script may (longer: within one
 * script the spelling recovery is stricter, and "weather" must not become "water").
 */
export const MIN_SOUND_STRENGTH = { crossScript: 3, sameScript: 4 } as const;

/** The index term of a sound key written in one script. */
export const soundTerm = (key: string, urdu: boolean) => `~${urdu ? "u" : "l"}:${key}`;

/** The index term of a word stem's sound key (script-independent). */
export const stemTerm = (key: string) => `^${key}`;

/** The sound of a word key, or null when it is too weak to compare or has digits. */
export function soundOf(key: string): Sound | null {
  if (/\d/.test(key)) return null;
  const sound = soundKey(key);
  const strength = keyStrength(sound);
  if (strength < MIN_SOUND_STRENGTH.crossScript) return null;
  const urdu = /[\u0600-\u06FF]/.test(key);
  return { key: sound, urdu, strength, own: soundTerm(sound, urdu), other: soundTerm(sound, !urdu), shared: `~${sound}` };
}

/** A one-word term; its sound key is worked out when first asked for (answers never are). */
class WordTerm implements Term {
  readonly phrase = false;
  #sound: Sound | null | undefined;
  #stem: string | null | undefined;
  constructor(
    readonly term: string,
    readonly concept: string | null,
  ) {}
  get sound(): Sound | null {
    if (this.#sound === undefined) this.#sound = soundOf(this.term);
    return this.#sound;
  }
  get stem(): string | null {
    if (this.#stem === undefined) {
      const key = /\d/.test(this.term) ? "" : stemKey(this.term);
      this.#stem = key === "" ? null : stemTerm(key);
    }
    return this.#stem;
  }
}

/**
 * Creates the analyzer. Lexicon phrases are found before function words are dropped ("how
 * long", "kitne din", "sign up" keep their function words) and stand for their concept; then
 * greetings, filler and function words go, and each word left keeps its own key, with its
 * concept (when the lexicon lists it) and its sound key as alternatives: the matcher gives
 * a word full credit only where the word itself is used.
 */
export function createAnalyzer(finder?: ConceptFinder): Analyzer {
  // Words repeat a lot: one (immutable) Term per word key.
  const words = new Map<string, Term | null>();
  const wordTerm = (key: string): Term | null => {
    let term = words.get(key);
    if (term !== undefined) return term;
    const phrase = finder?.phraseAt([key], 0);
    term = key.length < 2 || (isStopKey(key) && !phrase) ? null : new WordTerm(key, phrase ? conceptTerm(phrase.concept) : null);
    if (words.size >= 50_000) words.clear();
    words.set(key, term);
    return term;
  };
  return (text, maxChars = MAX_MATCH_CHARS) => {
    const keys = keyedWords(text, maxChars);
    const out: Term[] = [];
    for (let i = 0; i < keys.length; i++) {
      const phrase = finder?.phraseAt(keys, i, 2);
      if (phrase) {
        // The phrase as one word ("پلیٹ فارم" → "پلیٹفارم", which sounds like "platform").
        const joined = keys.slice(i, i + phrase.length).join("");
        out.push({ term: joined, concept: conceptTerm(phrase.concept), sound: soundOf(joined), stem: null, phrase: true });
        i += phrase.length - 1;
        continue;
      }
      const term = wordTerm(keys[i]!);
      if (term) out.push(term);
    }
    return out;
  };
}
