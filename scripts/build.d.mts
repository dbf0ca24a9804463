/** Types of scripts/build.mjs for the TypeScript that imports it (bench/core.bench.ts, tests). */

/** The repository root. */
export const ROOT: string;
/** Where builds go, one folder per digest (dist/). */
export const DIST: string;
/** The Node flags the bot runs with (bin/seller-bot.js's first line, npm start, the Dockerfile). */
export const NODE_FLAGS: string[];
/** Hex digest of every file under `dirs` (relative to `root`) and of the build script. */
export function sourceDigest(dirs?: string[], root?: string): string;
/** The folder of the build for `digest` (it may not exist yet). */
export function buildDir(digest?: string, dist?: string): string;
/** True when the build in `dir` is complete. */
export function isBuilt(dir: string): boolean;
/** Compiles the .ts files under `dirs` into `<dist>/<digest>/` unless that build exists; `ms` when it built. */
export function build(options?: { dirs?: string[]; root?: string; dist?: string }): Promise<{ dir: string; ms: number | undefined }>;
