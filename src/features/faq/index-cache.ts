/**
 * The FAQ index kept in a file between starts, so a start-up with unchanged content reads the
 * index (a few milliseconds) instead of building it (analysing every example and training the
 * classifier). The file is named by a hash of everything the index is built from: the topics,
 * the lexicon and the out-of-scope questions as loaded, the classifier's settings, the source
 * of the code that builds it (every .ts file of this folder and core/text.ts) and the V8
 * version that wrote it. A partner's edit, a code change or a Node upgrade therefore gives a
 * new name: the index is built once more and written under it. A cache can never be stale,
 * only missing. An unreadable or damaged file is rebuilt; a folder that cannot be written
 * costs only the build time.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCacheFile, sourceDigest, tsFilesOf, writeCacheFile } from "../../core/file-cache.ts";
import type { ClassifierOptions, ClassifierState, TrainingCache } from "./classifier.ts";
import type { FaqTopic } from "./content.ts";
import type { Concept } from "./lexicon.ts";
import { SEARCH_INDEX_FORMAT, type SearchIndex } from "./search-index.ts";

/** Where index files go unless told otherwise: the system's temporary folder. */
export const DEFAULT_INDEX_CACHE_DIR = join(tmpdir(), "seller-bot-faq");

/** What the index is built from. */
export interface IndexSource {
  topics: readonly FaqTopic[];
  lexicon: readonly Concept[];
  negatives: readonly string[];
  classifier?: ClassifierOptions;
}

/**
 * How the index was obtained: read from the cache; built and written there; or built and not
 * kept (the folder cannot be written, or the code's source cannot be read to key it).
 */
export type IndexOrigin = "cache" | "built" | "built-uncached";

const HERE = dirname(fileURLToPath(import.meta.url));
let codeHash: string | undefined;

/** A hash of the source of the code that builds the index (read once per process). */
function sourceHash(): string {
  codeHash ??= sourceDigest(HERE, [...tsFilesOf(HERE), join(HERE, "../../core/text.ts")]);
  return codeHash;
}

/** The cache key of an index source: a hex digest. */
export function indexKey(source: IndexSource): string {
  return createHash("sha256")
    .update(JSON.stringify({ format: SEARCH_INDEX_FORMAT, v8: process.versions.v8, code: sourceHash(), classifier: source.classifier ?? {} }))
    .update(JSON.stringify(source.topics))
    .update(JSON.stringify(source.lexicon))
    .update(JSON.stringify(source.negatives))
    .digest("hex")
    .slice(0, 32);
}

/** The index file of a key in a folder. */
export const indexFile = (dir: string, key: string) => join(dir, `index-${key}.bin`);

/**
 * The index for `source`: read from `<dir>/index-<key>.bin` when it is there and whole, else
 * built by `build` and written there (atomically: a temporary file renamed into place).
 */
export function cachedIndex(source: IndexSource, build: () => SearchIndex, dir = DEFAULT_INDEX_CACHE_DIR): { index: SearchIndex; origin: IndexOrigin } {
  let file: string;
  try {
    file = indexFile(dir, indexKey(source));
  } catch {
    // The source files are not where this module is (a bundle): without them no key is safe.
    return { index: build(), origin: "built-uncached" };
  }
  const topicIds = source.topics.map((t) => t.id).join(",");
  const cached = readCacheFile<SearchIndex>(file, (index) => index.format === SEARCH_INDEX_FORMAT && index.topicIds?.join(",") === topicIds);
  if (cached) return { index: cached, origin: "cache" };
  const index = build();
  return { index, origin: writeCacheFile(dir, file, index, "index") ? "built" : "built-uncached" };
}

/**
 * Trained classifiers in `<dir>/classifier-<key>.bin`, the key being the training's own digest
 * (classifier.ts: the questions' features, labels and settings) with this folder's code and
 * the V8 version: an edit that changes the index but not what the classifier learns from (an
 * answer, a related topic, a route) rebuilds the index without training, with the same model.
 * Kept beside the index files and pruned like them.
 */
export function createTrainingCache(dir = DEFAULT_INDEX_CACHE_DIR): TrainingCache {
  const fileOf = (key: string) => {
    try {
      const full = createHash("sha256").update(JSON.stringify({ v8: process.versions.v8, code: sourceHash(), key })).digest("hex").slice(0, 32);
      return join(dir, `classifier-${full}.bin`);
    } catch {
      return undefined; // no source to key by (a bundle): never reuse a model
    }
  };
  return {
    get: (key) => {
      const file = fileOf(key);
      return file === undefined ? undefined : readCacheFile<ClassifierState>(file, (v) => v.weights instanceof Float32Array && v.start instanceof Int32Array && Array.isArray(v.features));
    },
    set: (key, state) => {
      const file = fileOf(key);
      if (file !== undefined) writeCacheFile(dir, file, state, "classifier");
    },
  };
}

/**
 * Content read and validated once, kept beside the index (`<dir>/content-<key>.bin`): `load`
 * runs only when one of `files` (or the code) changed since the last start, so zod checks the
 * topic files, the lexicon and the out-of-scope questions once per edit, not once per start.
 * The key is a hash of the files' paths and bytes (a missing file counts as missing), this
 * folder's code and the V8 version, so the content read back is the content `load` would
 * give. A bad file is never kept: `load` throws as it does without a cache.
 */
export function cachedContent<T>(files: readonly string[], load: () => T, dir = DEFAULT_INDEX_CACHE_DIR): T {
  let file: string;
  try {
    const hash = createHash("sha256").update(JSON.stringify({ v8: process.versions.v8, code: sourceHash() }));
    for (const f of files) {
      hash.update(f);
      hash.update(existsSync(f) ? readFileSync(f) : "\u0000missing");
    }
    file = join(dir, `content-${hash.digest("hex").slice(0, 32)}.bin`);
  } catch {
    return load();
  }
  const cached = readCacheFile<{ content: T }>(file, (v) => "content" in v);
  if (cached) return cached.content;
  const content = load();
  writeCacheFile(dir, file, { content }, "content");
  return content;
}
