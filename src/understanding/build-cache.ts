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
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";
import { LEXICON_FILES, loadLexicons, type Lexicons } from "./lexicon.ts";
import { atomMemo, loadAtomMemo, type Atom } from "./phrases.ts";
import { entryTokenMemo, loadEntryTokenMemo, type Token } from "./text.ts";

/** Where build files go unless told otherwise: the system's temporary folder. */
export const DEFAULT_BUILD_CACHE_DIR = join(tmpdir(), "seller-bot-understanding");

/** How many build files a folder keeps (other lexicons, other code versions). */
const KEEP = 8;
const FORMAT = 1;

const HERE = dirname(fileURLToPath(import.meta.url));
const CODE_DIRS = [HERE, join(HERE, "../features/faq")];
let codeHash: string | undefined;

/** A hash of the source of the code that validates and normalises the lexicons (read once per process). */
function sourceHash(): string {
  if (codeHash) return codeHash;
  const hash = createHash("sha256");
  for (const dir of CODE_DIRS) {
    for (const f of readdirSync(dir).filter((name) => name.endsWith(".ts")).sort()) {
      hash.update(f);
      hash.update(readFileSync(join(dir, f)));
    }
  }
  hash.update(readFileSync(join(HERE, "../core/text.ts")));
  return (codeHash = hash.digest("hex"));
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
    const cached = readBuild(file);
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
      if (file && cacheDir) writeBuild(cacheDir, file, { format: FORMAT, lexicons, tokens: entryTokenMemo(), atoms: atomMemo() });
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

function readBuild(file: string): CachedBuild | undefined {
  try {
    const value = deserialize(readFileSync(file)) as CachedBuild;
    if (value?.format !== FORMAT || !value.lexicons || !Array.isArray(value.tokens) || !Array.isArray(value.atoms)) return undefined;
    return value;
  } catch {
    return undefined; // missing or damaged: rebuilt
  }
}

function writeBuild(dir: string, file: string, build: CachedBuild): void {
  try {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, serialize(build));
    renameSync(temp, file);
    prune(dir);
  } catch {
    // A folder that cannot be written: the next start builds again.
  }
}

/** Keeps the newest {@link KEEP} build files of the folder. */
function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => /^understanding-[0-9a-f]+\.bin$/.test(f))
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of files.slice(KEEP)) {
    try {
      unlinkSync(join(dir, f));
    } catch {
      // another process pruned it
    }
  }
}
