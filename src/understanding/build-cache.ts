/**
 * The understander's build kept in a file between starts, like the FAQ's index cache
 * (src/features/faq/index-cache.ts): the validated lexicons, every lexicon entry compiled
 * (its words normalised into match atoms) and the tokens of the town names. A start with unchanged lexicons reads them (a few milliseconds)
 * instead of validating ~5,000 entries with zod and normalising each one.
 *
 * The file is named by a hash of the lexicon files' bytes, the source of the code that reads
 * and normalises them (src/understanding, src/features/faq, core/text.ts) and the V8 version:
 * an edit, a code change or a Node upgrade gives a new name, so a cache is never stale, only
 * missing. A missing, unreadable or damaged file is rebuilt; a folder that cannot be written
 * costs only the build time. Nothing is cached when `dir` is null.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCacheFile, sourceDigest, tsFilesOf, writeCacheFile } from "../core/file-cache.ts";
import { LEXICON_FILES, loadLexicons, type Lexicons } from "./lexicon.ts";
import { atomMemo, loadAtomMemo, type Atom } from "./phrases.ts";
import { entryTokenMemo, loadEntryTokenMemo, type Token } from "./text.ts";

/** Where build files go unless told otherwise: the system's temporary folder. */
export const DEFAULT_BUILD_CACHE_DIR = join(tmpdir(), "seller-bot-understanding");

const FORMAT = 1;

const HERE = dirname(fileURLToPath(import.meta.url));
const CODE_DIRS = [HERE, join(HERE, "../features/faq")];
let codeHash: string | undefined;

/** A hash of the source of the code that validates and normalises the lexicons (read once per process). */
function sourceHash(): string {
  codeHash ??= sourceDigest(HERE, [...CODE_DIRS.flatMap(tsFilesOf), join(HERE, "../core/text.ts")]);
  return codeHash;
}

interface CachedBuild {
  format: number;
  lexicons: Lexicons;
  tokens: Array<[string, Token[]]>;
  atoms: Array<[string, Atom[]]>;
}

/** How the lexicons were obtained: read from the cache, or validated from the files. */
export type BuildOrigin = "cache" | "validated";

/** The lexicons of `lexiconDir`, and `save`, to call once the understander is built (writes the cache on a miss). */
export interface CachedLexicons {
  lexicons: Lexicons;
  origin: BuildOrigin;
  save(): void;
}

/**
 * The lexicons of `lexiconDir`: from `<cacheDir>/understanding-<key>.bin` when it is there and
 * whole (its entry tokens then fill the tokeniser's memo), else read and validated
 * (throws LexiconError for a bad file, as {@link loadLexicons} does).
 */
export function cachedLexicons(lexiconDir: string, cacheDir: string | null = DEFAULT_BUILD_CACHE_DIR): CachedLexicons {
  let file: string | undefined;
  try {
    if (cacheDir !== null) file = join(cacheDir, `understanding-${buildKey(lexiconDir)}.bin`);
  } catch {
    file = undefined; // a lexicon file cannot be read: loadLexicons below says which
  }
  if (file) {
    const cached = readCacheFile<CachedBuild>(file, (v) => v.format === FORMAT && Boolean(v.lexicons) && Array.isArray(v.tokens) && Array.isArray(v.atoms));
    if (cached) {
      loadEntryTokenMemo(cached.tokens);
      loadAtomMemo(cached.atoms);
      return { lexicons: cached.lexicons, origin: "cache", save: () => {} };
    }
  }
  const lexicons = loadLexicons(lexiconDir);
  return {
    lexicons,
    origin: "validated",
    save: () => {
      if (file && cacheDir) writeCacheFile(cacheDir, file, { format: FORMAT, lexicons, tokens: entryTokenMemo(), atoms: atomMemo() } satisfies CachedBuild, "understanding");
    },
  };
}

/** The cache key of a lexicon folder: a hex digest of its files and the code that reads them. */
export function buildKey(lexiconDir: string): string {
  const hash = createHash("sha256").update(JSON.stringify({ format: FORMAT, v8: process.versions.v8, code: sourceHash() }));
  for (const name of LEXICON_FILES) {
    hash.update(name);
    hash.update(readFileSync(join(lexiconDir, `${name}.json`)));
  }
  return hash.digest("hex").slice(0, 32);
}
