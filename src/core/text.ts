/**
 * Making untrusted text safe to process: what arrives from a phone can hold control
 * characters, lone surrogates, bidi overrides, zalgo stacks or 20,000 characters.
 */

/** Longest text the core reads; the rest is cut (a question never needs more). */
export const MAX_INPUT_LENGTH = 2000;

// C0/C1 controls except tab and newline; DEL.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Bidi embeddings, overrides and isolates, which can reorder what a reader sees.
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// Combining marks beyond two on one base character (zalgo). Urdu diacritics use one or two.
const ZALGO = /(\p{M}{2})\p{M}+/gu;

/** Removes what cannot be shown or read, collapses whitespace and caps the length. */
export function sanitizeText(input: string): string {
  return input
    .toWellFormed()
    .replace(/\uFFFD/g, "")
    .replace(CONTROL, " ")
    .replace(BIDI, "")
    .replace(ZALGO, "$1")
    .slice(0, MAX_INPUT_LENGTH)
    .replace(/[ \t\u00A0]+/g, " ")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const DIGITS: Record<string, string> = {};
for (let i = 0; i < 10; i++) {
  DIGITS[String.fromCharCode(0x0660 + i)] = String(i); // Arabic-Indic
  DIGITS[String.fromCharCode(0x06f0 + i)] = String(i); // Extended Arabic-Indic (Urdu)
}

/** Turns Urdu and Arabic-Indic digits into ASCII digits. */
export function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => DIGITS[d] ?? d);
}

/**
 * A light key for matching commands and keywords: lower case, ASCII digits, Urdu letter
 * forms unified, punctuation dropped. Features with heavier needs (FAQ) normalise further.
 */
export function keyText(text: string): string {
  return asciiDigits(text)
    .toLowerCase()
    .replace(/[\u064A\u0649]/g, "\u06CC") // Arabic yeh / alef maksura → Farsi/Urdu yeh
    .replace(/\u0643/g, "\u06A9") // Arabic kaf → keheh
    .replace(/\u0647/g, "\u06C1") // Arabic heh → heh goal
    .replace(/[\u064B-\u065F\u0670\u0640\u200C\u200D]/g, "") // harakat, tatweel, ZWNJ/ZWJ
    .replace(/[^\p{L}\p{N}\s/]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * True when `a` and `b` are at most one edit apart: one letter added, dropped or changed,
 * or two neighbours swapped. Runs for hundreds of known words per unknown word (the FAQ's
 * and the understander's spelling fixes), so the tails are compared in place.
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (a.length === b.length) return sameTail(a, i + 1, b, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && sameTail(a, i + 2, b, i + 2));
  return a.length > b.length ? sameTail(a, i + 1, b, i) : sameTail(a, i, b, i + 1);
}

/** `a.slice(ai) === b.slice(bi)` without the two strings. */
function sameTail(a: string, ai: number, b: string, bi: number): boolean {
  const n = Math.max(0, a.length - ai);
  if (n !== Math.max(0, b.length - bi)) return false;
  for (let k = 0; k < n; k++) if (a.charCodeAt(ai + k) !== b.charCodeAt(bi + k)) return false;
  return true;
}
