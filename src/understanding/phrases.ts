/**
 * Compiled lexicon entries and phrase patterns, matched against a message's tokens.
 *
 * - An entry is a word or a contiguous phrase; a word ending in `*` is a prefix; a word
 *   starting with `=` matches only as written (`=registered`: not "register", which the
 *   spelling key merges it with).
 * - A pattern (intent cue) is a sequence of parts: `@concept` (any entry of that word class)
 *   or literal words (contiguous). Up to {@link MAX_GAP} other words may stand between two
 *   parts ("partner ko badalna" matches `@partner @change`).
 */
import { LexiconError } from "./lexicon.ts";
import { prefixKey, tokenizeEntry, type Token } from "./text.ts";

/** Words allowed between two parts of a pattern (glue words such as ka, ne, the do not count). */
export const MAX_GAP = 3;
/** Most words, glue included, between two parts. */
const MAX_SPAN = 6;

/** One word of a compiled entry. */
export type Atom = { kind: "key"; key: string } | { kind: "prefix"; pkey: string } | { kind: "raw"; raw: string };

// Lexicon entries share most of their words ("band karo", "band kar do" …): tokenise each once.
const wordTokens = tokenizeEntry;

// Compiled entries, by their text: filled while the understander is built, and from the build
// cache (build-cache.ts) at a start with unchanged lexicons.
const ATOMS = new Map<string, Atom[]>();

/** The memo of {@link atomsOf}, as pairs (for the build cache). */
export function atomMemo(): Array<[string, Atom[]]> {
  return [...ATOMS];
}

/** Fills the memo of {@link atomsOf} from the build cache. */
export function loadAtomMemo(pairs: ReadonlyArray<[string, Atom[]]>): void {
  for (const [text, atoms] of pairs) if (!ATOMS.has(text)) ATOMS.set(text, atoms);
}

/** Turns one entry ("band ho*") into atoms (memoised); empty when it has no letters or digits. */
export function atomsOf(entry: string): Atom[] {
  let atoms = ATOMS.get(entry);
  if (!atoms) ATOMS.set(entry, (atoms = compileAtoms(entry)));
  return atoms;
}

function compileAtoms(entry: string): Atom[] {
  const words = entry.trim().split(/\s+/);
  const atoms: Atom[] = [];
  for (const word of words) {
    const isPrefix = word.endsWith("*") && word.length > 1;
    const isRaw = word.startsWith("=") && word.length > 1;
    const tokens = wordTokens(isPrefix ? word.slice(0, -1) : isRaw ? word.slice(1) : word);
    tokens.forEach((t, i) => {
      if (isPrefix && i === tokens.length - 1) atoms.push({ kind: "prefix", pkey: prefixKey(t.raw) });
      else if (isRaw) atoms.push({ kind: "raw", raw: t.raw });
      else atoms.push({ kind: "key", key: t.key });
    });
  }
  return atoms;
}

function atomMatches(atom: Atom, token: Token): boolean {
  if (atom.kind === "key") return token.key === atom.key;
  if (atom.kind === "prefix") return token.pkey.startsWith(atom.pkey);
  return token.raw === atom.raw;
}

/** Length of the contiguous match of `atoms` at position i, or -1. */
function matchAtoms(atoms: Atom[], tokens: Token[], i: number): number {
  if (i + atoms.length > tokens.length) return -1;
  for (let j = 0; j < atoms.length; j++) if (!atomMatches(atoms[j]!, tokens[i + j]!)) return -1;
  return atoms.length;
}

interface Entry {
  category: string;
  atoms: Atom[];
}

function pushMatches(list: Entry[], tokens: Token[], i: number, out: Array<{ category: string; len: number }>): void {
  for (const e of list) {
    const len = matchAtoms(e.atoms, tokens, i);
    if (len > 0) out.push({ category: e.category, len });
  }
}

/** Categorised entries with an index on their first word (prefixes bucketed by their first two letters). */
export class EntrySet {
  private readonly byKey = new Map<string, Entry[]>();
  private readonly byPrefix = new Map<string, Entry[]>();
  /** Keys of whole words the entries use (for spelling recovery). */
  readonly vocabulary = new Set<string>();

  add(category: string, entries: Iterable<string>): this {
    for (const text of entries) {
      const atoms = atomsOf(text);
      const first = atoms[0];
      if (!first) continue;
      const entry = { category, atoms };
      const index = first.kind === "key" ? this.byKey : this.byPrefix;
      const bucket = first.kind === "key" ? first.key : first.kind === "prefix" ? first.pkey.slice(0, 2) : first.raw;
      const list = index.get(bucket);
      if (list) list.push(entry);
      else index.set(bucket, [entry]);
      for (const a of atoms) if (a.kind === "key") this.vocabulary.add(a.key);
    }
    return this;
  }

  /** Every entry matching at position i, with its length. */
  matchesAt(tokens: Token[], i: number): Array<{ category: string; len: number }> {
    const out: Array<{ category: string; len: number }> = [];
    const t = tokens[i];
    if (!t) return out;
    const byKey = this.byKey.get(t.key);
    if (byKey) pushMatches(byKey, tokens, i, out);
    // Raw atoms are bucketed by the whole raw word, prefixes by their first two letters (or one).
    if (this.byPrefix.size === 0) return out;
    const two = t.pkey.slice(0, 2);
    const one = t.pkey.slice(0, 1);
    if (t.raw !== two) this.pushBucket(t.raw, tokens, i, out);
    this.pushBucket(two, tokens, i, out);
    this.pushBucket(one, tokens, i, out);
    return out;
  }

  /**
   * The first of the longest entries matching at position i (what
   * `matchesAt(tokens, i).sort((x, y) => y.len - x.len)[0]` gives), without the list.
   */
  longestAt(tokens: Token[], i: number): { category: string; len: number } | undefined {
    const t = tokens[i];
    if (!t) return undefined;
    let best: Entry | undefined;
    let bestLen = 0;
    const two = this.byPrefix.size > 0 ? t.pkey.slice(0, 2) : "";
    for (let b = 0; b < this.bucketCount(); b++) {
      const list = this.bucket(t, b, two);
      if (!list) continue;
      for (const e of list) {
        const len = matchAtoms(e.atoms, tokens, i);
        if (len > bestLen) {
          best = e;
          bestLen = len;
        }
      }
    }
    return best ? { category: best.category, len: bestLen } : undefined;
  }

  /** Each category matching at position i with its longest match (no list of matches in between). */
  longestPerCategoryAt(tokens: Token[], i: number): Map<string, number> {
    const here = new Map<string, number>();
    const t = tokens[i];
    if (!t) return here;
    const two = this.byPrefix.size > 0 ? t.pkey.slice(0, 2) : "";
    for (let b = 0; b < this.bucketCount(); b++) {
      const list = this.bucket(t, b, two);
      if (!list) continue;
      for (const e of list) {
        const len = matchAtoms(e.atoms, tokens, i);
        if (len > 0 && (here.get(e.category) ?? 0) < len) here.set(e.category, len);
      }
    }
    return here;
  }

  /** How many buckets a token can have entries in: its key, then (with prefixes) raw, two letters, one. */
  private bucketCount(): number {
    return this.byPrefix.size === 0 ? 1 : 4;
  }

  /** Bucket b of token t, in matchesAt's order (`two`: its first two letters); undefined when empty or the same as another. */
  private bucket(t: Token, b: number, two: string): Entry[] | undefined {
    if (b === 0) return this.byKey.get(t.key);
    if (b === 1) return t.raw === two ? undefined : this.byPrefix.get(t.raw);
    return this.byPrefix.get(b === 2 ? two : t.pkey.slice(0, 1));
  }

  private pushBucket(bucket: string, tokens: Token[], i: number, out: Array<{ category: string; len: number }>): void {
    const list = this.byPrefix.get(bucket);
    if (list) pushMatches(list, tokens, i, out);
  }

  /** Every category with an entry matching somewhere (one pass). */
  categoriesIn(tokens: Token[]): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < tokens.length; i++) for (const m of this.matchesAt(tokens, i)) out.add(m.category);
    return out;
  }

  /** True when some entry of `category` matches anywhere. */
  has(tokens: Token[], category?: string): boolean {
    for (let i = 0; i < tokens.length; i++) if (this.matchesAt(tokens, i).some((m) => !category || m.category === category)) return true;
    return false;
  }

  /**
   * Covers the whole message with entries (each token in exactly one entry). Returns the
   * categories used, or null when some token is not covered. `free` tokens (filler) may
   * stand alone; at least one non-free entry is required.
   */
  cover(tokens: Token[], free?: EntrySet): Set<string> | null {
    const n = tokens.length;
    if (n === 0) return null;
    // best[i]: categories used to cover tokens[0..i), or undefined when unreachable.
    const best: Array<Set<string> | undefined> = new Array(n + 1);
    best[0] = new Set();
    for (let i = 0; i < n; i++) {
      const here = best[i];
      if (!here) continue;
      const steps = [...this.matchesAt(tokens, i), ...(free ? free.matchesAt(tokens, i).map((m) => ({ len: m.len, category: "" })) : [])];
      for (const { category, len } of steps) {
        const next = new Set(here);
        if (category) next.add(category);
        const current = best[i + len];
        if (!current || next.size > current.size) best[i + len] = next;
      }
    }
    const end = best[n];
    return end && end.size > 0 ? end : null;
  }
}

/** A compiled pattern. */
export interface Pattern {
  text: string;
  parts: Array<{ concept: string } | { atoms: Atom[] }>;
  /** The word classes it needs (a quick test before matching). */
  concepts: string[];
}

/** Concepts present at each position: concept → longest match length. */
export type ConceptMap = Array<Map<string, number>>;

/** Compiles a pattern; `where` names the file and field for errors. */
export function compilePattern(text: string, concepts: ReadonlySet<string>, where: string): Pattern {
  const parts: Pattern["parts"] = [];
  let literal: string[] = [];
  const flush = () => {
    if (literal.length === 0) return;
    const atoms = atomsOf(literal.join(" "));
    if (atoms.length) parts.push({ atoms });
    literal = [];
  };
  for (const word of text.trim().split(/\s+/)) {
    if (word.startsWith("@")) {
      flush();
      const name = word.slice(1);
      if (!concepts.has(name)) throw new LexiconError(`${where}: unknown word class @${name} (see content/understanding/concepts.json)`);
      parts.push({ concept: name });
    } else literal.push(word);
  }
  flush();
  if (parts.length === 0) throw new LexiconError(`${where}: empty pattern`);
  return { text, parts, concepts: parts.flatMap((p) => ("concept" in p ? [p.concept] : [])) };
}

/** Which concepts start at each token. */
export function conceptMap(concepts: EntrySet, tokens: Token[]): ConceptMap {
  const out: ConceptMap = [];
  for (let i = 0; i < tokens.length; i++) out.push(concepts.longestPerCategoryAt(tokens, i));
  return out;
}

function partLen(part: Pattern["parts"][number], tokens: Token[], at: ConceptMap, i: number): number {
  if ("concept" in part) return at[i]?.get(part.concept) ?? -1;
  return matchAtoms(part.atoms, tokens, i);
}

/**
 * Where the pattern matches first (token span), or null. `glue[i]` says which tokens are
 * glue words (they do not count towards the gap).
 */
export function matchPattern(p: Pattern, tokens: Token[], at: ConceptMap, glue?: readonly boolean[]): { start: number; end: number } | null {
  for (let start = 0; start < tokens.length; start++) {
    const len = partLen(p.parts[0]!, tokens, at, start);
    if (len <= 0) continue;
    const end = matchRest(p, 1, start + len, tokens, at, glue);
    if (end >= 0) return { start, end };
  }
  return null;
}

/** End of the match of parts j… starting at or after pos, or -1. (A module function: no closure per call.) */
function matchRest(p: Pattern, j: number, pos: number, tokens: Token[], at: ConceptMap, glue: readonly boolean[] | undefined): number {
  if (j === p.parts.length) return pos;
  let skipped = 0;
  for (let g = 0; g <= MAX_SPAN && pos + g < tokens.length; g++) {
    const len = partLen(p.parts[j]!, tokens, at, pos + g);
    if (len > 0) {
      const end = matchRest(p, j + 1, pos + g + len, tokens, at, glue);
      if (end >= 0) return end;
    }
    if (!glue?.[pos + g] && ++skipped > MAX_GAP) break;
  }
  return -1;
}

/** True when a concept occurs anywhere. */
export function hasConcept(at: ConceptMap, concept: string): boolean {
  return at.some((m) => m.has(concept));
}
