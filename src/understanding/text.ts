/**
 * Normalising a message into tokens the lexicons are compared with. The same function turns
 * lexicon entries into tokens, so a rule only has to map variants onto one key, never onto
 * a "correct" spelling (the FAQ's normalisation works the same way and is reused here).
 */
import { sanitizeText } from "../core/text.ts";
import { foldScript, wordKey } from "../features/faq/normalize.ts";

/** Longest part of a message that is read: a request never needs more, and work stays bounded. */
export const MAX_ANALYSED_CHARS = 500;
/** Most tokens read from one message. */
export const MAX_TOKENS = 60;

/** One word of a message. */
export interface Token {
  /** Folded, lower-cased word as typed ("bhejo", "بھیجیں"). */
  raw: string;
  /** Spelling-variant key (Roman Urdu variants and English plurals merged; Urdu letter forms merged). */
  key: string;
  /** Key for prefix matching: raw with Urdu look-alike letters merged. */
  pkey: string;
  numeric: boolean;
}

/** A message read for understanding. */
export interface Analysed {
  /** Sanitised, capped text. */
  text: string;
  tokens: Token[];
  /** Emoji in the text (pictographs), in order. */
  emoji: string[];
  /** A question mark (Latin or Urdu) somewhere. */
  questionMark: boolean;
}

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g;
const EMOJI = /\p{Extended_Pictographic}/gu;
const ARABIC = /[\u0600-\u06FF\u0750-\u077F]/;
const ARABIC_LETTER = /[\u0600-\u06FF]/;
// Short Latin words that mean one thing in English and another after Roman Urdu variant merging
// (romanKey("me") is "mein", romanKey("app") is "ap" like "aap", "news" is "new"): they keep
// their own key so "call me" is not "call mein".
// Negated English verbs keep theirs too: the FAQ merges "dont" into "do" and "cant" into "can"
// (the topic is the same), but here "how do I stop" is not "don't stop".
const KEEP_AS_IS = new Set(["me", "main", "in", "is", "to", "or", "so", "do", "he", "ha", "hi", "na", "no", "mai", "kar", "ke", "app", "new", "news", "dont", "doesnt", "didnt", "cant", "cannot", "wont", "isnt", "arent", "wasnt"]);

// A light verb typed joined to what follows ("kardo", "hogaya", "dedein") is read as the two
// words it is, so "band kardo" meets "band kar do" and "band kardiya" stays a past closure.
const LIGHT_HEAD = /^(kar|kr|ho|de)(do|di|diya|dia|diye|dein|den|dain|dijiye|dena|deta|deti|dete|lo|lein|len|liya|gaya|gya|gayi|gai|gae|gye|gaye|jaye|jae|jata|jati|jate|jayega|jayegi|jaega|jaegi|sakta|skta|sakti|chuka|chuki|chuke)$/;

const CONTRACTED_WOULD = /\b(i|we|you|they|he|she)['’`ʼ]d\b/g;

/** Reads a message (any input: never throws). */
export function analyse(input: string): Analysed {
  const text = sanitizeText(input.slice(0, MAX_ANALYSED_CHARS * 4).replace(INVISIBLE, "")).slice(0, MAX_ANALYSED_CHARS);
  return { text, tokens: tokenize(text), emoji: text.match(EMOJI) ?? [], questionMark: /[?؟]/.test(text) };
}

/** The tokens of a text (also used for lexicon entries). */
export function tokenize(text: string): Token[] {
  // "i'd like" is "i would like": without the apostrophe it would be "id" (an identity card).
  const folded = foldScript(text.replace(INVISIBLE, "")).toLowerCase().replace(CONTRACTED_WOULD, "$1 would").replace(/['’`ʼ]/g, "");
  // Mixed scripts in one word ("accountکیسے") are two words.
  const split = folded.replace(/([a-z0-9])(?=[\u0600-\u06FF])|([\u0600-\u06FF])(?=[a-z0-9])/g, "$1$2 ");
  // An English plural s stuck to an Urdu word ("ایونٹs") is not a word of its own.
  const words = (split.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w, i, all) => !(w === "s" && i > 0 && ARABIC_LETTER.test(all[i - 1]!)));
  const out: Token[] = [];
  for (const raw of words) {
    if (out.length >= MAX_TOKENS) break;
    const joined = LIGHT_HEAD.exec(raw);
    if (joined) out.push(token(joined[1]!), token(joined[2]!));
    else out.push(token(raw));
  }
  return out;
}

// Lexicon entries and town names, tokenised while the understander is built: kept so that a
// later start with the same lexicons can take them from the build cache (build-cache.ts)
// instead of normalising ~5,000 entries again.
const ENTRY_TOKENS = new Map<string, Token[]>();

/** {@link tokenize} for a lexicon entry or a town name (memoised; the memo goes into the build cache). */
export function tokenizeEntry(text: string): Token[] {
  let tokens = ENTRY_TOKENS.get(text);
  if (!tokens) ENTRY_TOKENS.set(text, (tokens = tokenize(text)));
  return tokens;
}

/** The memo of {@link tokenizeEntry}, as pairs (for the build cache). */
export function entryTokenMemo(): Array<[string, Token[]]> {
  return [...ENTRY_TOKENS];
}

/** Fills the memo of {@link tokenizeEntry} from the build cache. */
export function loadEntryTokenMemo(pairs: ReadonlyArray<[string, Token[]]>): void {
  for (const [text, tokens] of pairs) if (!ENTRY_TOKENS.has(text)) ENTRY_TOKENS.set(text, tokens);
}

const TOKEN_CACHE = new Map<string, Token>();

function token(raw: string): Token {
  let t = TOKEN_CACHE.get(raw);
  if (t) return t;
  const numeric = /^\d+$/.test(raw);
  const key = numeric || KEEP_AS_IS.has(raw) ? raw : wordKey(raw);
  t = { raw, key, pkey: prefixKey(raw), numeric };
  if (TOKEN_CACHE.size > 50_000) TOKEN_CACHE.clear();
  TOKEN_CACHE.set(raw, t);
  return t;
}

/** Urdu look-alike letters merged (ھ/ہ, ے/ی, ں/ن), so "بدل*" matches however it is typed. */
export function prefixKey(raw: string): string {
  if (!ARABIC_LETTER.test(raw)) return raw;
  return raw.replace(/\u06BE/g, "\u06C1").replace(/[\u06D2\u06D3]/g, "\u06CC").replace(/\u06BA/g, "\u0646");
}

const SCRIPT_BOUNDARY = /([A-Za-z0-9])(?=[\u0600-\u06FF])|([\u0600-\u06FF])(?=[A-Za-z0-9])/g;

/** The text with a space where a word changes script ("accountکیسے" → "account کیسے"). */
export function splitScripts(text: string): string {
  return text.replace(SCRIPT_BOUNDARY, "$1$2 ");
}

/** True when the text holds Urdu/Arabic script. */
export function hasUrduScript(text: string): boolean {
  return ARABIC.test(text);
}
