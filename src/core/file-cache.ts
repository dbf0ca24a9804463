/**
 * Values kept between starts in v8-serialised files named by a hash of what they are built
 * from (the FAQ's index and content, the understander's build). A name that changes with every
 * input means a file is never stale, only missing; a missing or damaged file is rebuilt, and a
 * folder that cannot be written costs only the build time.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { deserialize, serialize } from "node:v8";

/** How many files of one kind a cache folder keeps (other content, other code versions). */
const KEEP = 8;

/** A hex digest of source files (each labelled by its path under `root`), to key caches by the code that builds them. */
export function sourceDigest(root: string, files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(relative(root, file));
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

/** The `.ts` files of a folder, sorted (what {@link sourceDigest} is usually given). */
export const tsFilesOf = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => join(dir, f));

/** The value in `file`, or undefined when it is missing, damaged or not `valid`. */
export function readCacheFile<T>(file: string, valid: (value: T) => boolean): T | undefined {
  try {
    const value = deserialize(readFileSync(file)) as T;
    return value !== undefined && value !== null && valid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `value` to `file` in `dir` atomically (a temporary file renamed into place), then keeps
 * the newest files named `<kind>-<hex>.bin`. False when the folder cannot be written.
 */
export function writeCacheFile(dir: string, file: string, value: unknown, kind: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, serialize(value));
    renameSync(temp, file);
    prune(dir, kind);
    return true;
  } catch {
    return false;
  }
}

function prune(dir: string, kind: string): void {
  const name = new RegExp(`^${kind}-[0-9a-f]+\\.bin$`);
  const files = readdirSync(dir)
    .filter((f) => name.test(f))
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of files.slice(KEEP)) {
    try {
      unlinkSync(join(dir, f));
    } catch {
      // another process removed it first
    }
  }
}
