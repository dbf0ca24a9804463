/**
 * Normalising place names so that "Sialkot", "sailkot", "SIALKOT!", "سیالکوٹ" and the same
 * word typed with Arabic code points (ي ك ه) compare equal, plus the spelling "skeleton"
 * used for misspellings. Shared by scripts/build-gazetteer.ts and the runtime parser.
 */
import { asciiDigits } from "../../core/text.ts";

const URDU_FOLD: Array<[RegExp, string]> = [
  [/[\u064A\u0649\u06D2\u0626]/g, "\u06CC"], // Arabic yeh, alef maksura, bari yeh, yeh+hamza → yeh
  [/\u0643/g, "\u06A9"], // Arabic kaf → keheh
  [/[\u0647\u0629\u06C3\u06BE]/g, "\u06C1"], // heh, teh marbuta, heh goal+hamza, do-chashmi heh → heh goal
  [/[\u0622\u0623\u0625\u0671]/g, "\u0627"], // alef variants → alef
  [/\u0624/g, "\u0648"], // waw+hamza → waw
  [/[\u064B-\u065F\u0670\u0640\u200C\u200D\u0654\u0655]/g, ""], // harakat, superscript alef, tatweel, ZWNJ/ZWJ
];

const ASCII = /^[\x00-\x7F]*$/;

/** True when the text holds Arabic-script letters. */
export function hasArabicScript(text: string): boolean {
  return /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/.test(text);
}

/**
 * Words of a text, normalised: NFKC (Arabic presentation forms → letters), Latin folded to
 * lower-case ASCII without diacritics, Urdu letter variants unified, punctuation dropped.
 */
export function placeWords(text: string): string[] {
  // Plain ASCII (most messages) is unchanged by the Unicode steps below: lower case and split only.
  if (ASCII.test(text)) {
    const plain = text.toLowerCase().replace(/['`]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
    return plain ? plain.split(" ") : [];
  }
  let s = asciiDigits(text.normalize("NFKC"));
  for (const [re, to] of URDU_FOLD) s = s.replace(re, to);
  s = s
    .normalize("NFKD")
    .replace(/[\u0300-\u036F]/g, "") // Latin diacritics (Muzaffarābād)
    .normalize("NFC")
    .toLowerCase()
    .replace(/[’'`ʼ]/g, "") // "Mir’s" → "mirs"
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
  return s ? s.split(" ") : [];
}

/** The lookup key of a name: its normalised words joined without spaces. */
export function placeKey(text: string): string {
  return placeWords(text).join("");
}

/**
 * A spelling skeleton for Roman text: doubled letters collapsed, look-alike sounds merged
 * (q/k, v/w, ph/f, z/j is NOT merged: Zafarwal ≠ Jafarwal), vowels after the first letter
 * dropped. "sialkot", "sailkot" and "sialkt" all give "slkt".
 */
export function skeleton(key: string): string {
  if (hasArabicScript(key)) return key;
  const k = key.replace(/ph/g, "f").replace(/ck/g, "k").replace(/q/g, "k").replace(/v/g, "w").replace(/(.)\1+/g, "$1");
  return (k[0] ?? "") + k.slice(1).replace(/[aeiouy]/g, "").replace(/h(?=[^aeiou]|$)/g, "").replace(/(.)\1+/g, "$1");
}

/**
 * Roman spelling variants people commonly type, generated from a name's key: dropped or
 * doubled vowels, "abad"/"abaad", "pur"/"poor", "ee"/"i", "oo"/"u", "w"/"v", silent h.
 */
export function romanVariants(key: string): string[] {
  if (hasArabicScript(key) || key.length < 4) return [];
  const out = new Set<string>();
  const rules: Array<[RegExp, string]> = [
    [/abad$/, "abaad"], [/abad$/, "bad"], [/pur$/, "poor"], [/pur$/, "por"], [/ee/g, "i"], [/(?<=[^aeiou])i(?=[^aeiou])/g, "ee"],
    [/oo/g, "u"], [/(?<=[^aeiou])u(?=[^aeiou])/g, "oo"], [/w/g, "v"], [/v/g, "w"], [/kh/g, "k"], [/gh/g, "g"], [/sh/g, "s"],
    [/ai/g, "ia"], [/ia/g, "ai"], [/ey?$/, "ay"], [/a$/, "ah"], [/wala$/, "walla"], [/wal$/, "waal"], [/ll/g, "l"], [/([bdgkmnprst])\1/g, "$1"],
    [/q/g, "k"], [/z/g, "x"],
  ];
  for (const [re, to] of rules) {
    const v = key.replace(re, to);
    if (v !== key) out.add(v);
  }
  out.add(key.replace(/[aeiou]/g, (m, i: number) => (i === 0 ? m : ""))); // all vowels dropped ("slkt")
  out.delete(key);
  return [...out].filter((v) => v.length >= 3);
}

/**
 * Damerau–Levenshtein (optimal string alignment) distance, stopping early past `max`.
 * Transpositions count 1, so "sailkot" is one edit from "sialkot".
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Three rolling rows kept between calls: the fuzzy town search runs this for hundreds of
  // names per message, and a fresh table per call was most of its cost.
  const m = b.length;
  if (rowsA.length < m + 1) [rowsA, rowsB, rowsC] = [new Int32Array(m + 1), new Int32Array(m + 1), new Int32Array(m + 1)];
  let older = rowsA; // row i - 2
  let prev = rowsB; // row i - 1
  let cur = rowsC; // row i
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = Infinity;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, older[j - 2]! + 1);
      cur[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    [older, prev, cur] = [prev, cur, older];
  }
  return prev[m]!;
}

/**
 * {@link editDistance} when it is at most `max`, else `max + 1`: the same table computed only
 * within `max` of its diagonal (a cell further off costs more than `max` on any path), so a
 * name that is not near costs a few cells per letter instead of a row.
 */
export function withinEdits(a: string, b: string, max: number): number {
  const far = max + 1;
  if (Math.abs(a.length - b.length) > max) return far;
  const m = b.length;
  if (rowsA.length < m + 2) [rowsA, rowsB, rowsC] = [new Int32Array(m + 2), new Int32Array(m + 2), new Int32Array(m + 2)];
  let older = rowsA;
  let prev = rowsB;
  let cur = rowsC;
  for (let j = 0; j <= Math.min(m, max); j++) prev[j] = j;
  if (max + 1 <= m) prev[max + 1] = far;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[0] = Math.min(i, far);
    if (lo - 1 >= 1) cur[lo - 1] = far;
    let best = Infinity;
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, older[j - 2]! + 1);
      if (d > far) d = far;
      cur[j] = d;
      if (d < best) best = d;
    }
    if (hi + 1 <= m) cur[hi + 1] = far;
    if (best > max) return far;
    [older, prev, cur] = [prev, cur, older];
  }
  return Math.min(prev[m]!, far);
}

let rowsA = new Int32Array(32);
let rowsB = new Int32Array(32);
let rowsC = new Int32Array(32);
