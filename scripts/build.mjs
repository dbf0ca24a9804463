#!/usr/bin/env node
// `npm run build` (part of `npm run setup`): compiles src/**/*.ts to plain JavaScript under
// dist/<digest>/src/, so that `seller-bot` runs on plain Node without tsx's loader
// (docs/decisions/1105-compiled-build.md). One file in, one file out (no bundle): relative
// imports keep their paths with `.ts` turned into `.js`, packages stay imports.
//
// The folder is named by a digest of every file under src/ (and of this script), so a build is
// never stale, only missing: bin/seller-bot.js computes the digest at start and builds when
// the folder for it is not there. A running process never sees its files replaced (lazy
// imports load the build they started with), and two processes building at once both end
// with the same complete folder (each writes its own and renames it into place).
//
// Code that finds files next to itself (`new URL("../content/…", import.meta.url)`, the FAQ and
// understander caches keyed by their .ts sources, the dashboard's assets) sees the URL of its
// source file: each `import.meta.url` is replaced by the source's URL computed from the
// output's own location, so the compiled code reads the same files the sources would.
//
//   node scripts/build.mjs            # build (if missing) and print the folder
//   node scripts/build.mjs --check    # exit 0 when the build for the current sources exists, 1 if not
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root (this file is in scripts/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where builds go, one folder per digest. */
export const DIST = join(ROOT, "dist");

/**
 * The Node flags the bot runs with: bin/seller-bot.js's first line, `npm start`, `npm run chat`
 * and the Dockerfile carry them (test/scripts/node-flags.test.ts checks they agree), and
 * bench:core runs its child with them. An explicit old-space limit makes V8 grow the heap by
 * need instead of by the machine's size: peak RSS under bench:core fell from ~260 to ~190 MB
 * on a 24 GiB machine (docs/decisions/1106-heap-limit.md). 512 MB is far above the ~100 MB the
 * heap reaches under load, so it is a sizing hint, not a cap that a busy process meets.
 */
export const NODE_FLAGS = ["--max-old-space-size=512"];
/** Builds kept besides the current one (a process started earlier may still load from its own). */
const KEEP = 3;
/** The file a finished build contains last, so a half-written folder is never taken for one. */
const DONE = "build.json";

const filesUnder = (dir) =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();

/** One reused buffer: the digest runs at every start and should leave no garbage behind. */
const chunk = Buffer.allocUnsafe(1 << 16);

function hashFile(hash, file) {
  const fd = openSync(file, "r");
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/**
 * Hex digest of the sources a build is made from: every file under `dirs` (relative to the
 * root: path and content) and this script. About 10 ms for src/ with its generated clients.
 */
export function sourceDigest(dirs = ["src"], root = ROOT) {
  const hash = createHash("sha256");
  hashFile(hash, fileURLToPath(import.meta.url));
  for (const dir of dirs) {
    for (const file of filesUnder(join(root, dir))) {
      hash.update(`\0${relative(root, file).split(sep).join("/")}\0`);
      hashFile(hash, file);
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/** The folder of the build for the current sources (it may not exist yet). */
export const buildDir = (digest = sourceDigest(), dist = DIST) => join(dist, digest);

/** True when the build in `dir` is complete. */
export const isBuilt = (dir) => existsSync(join(dir, DONE));

/**
 * esbuild plugin: every import stays an import (one output file per source), with a relative
 * `.ts` specifier turned into `.js`; and `import.meta.url` becomes the source file's URL.
 */
function perFilePlugin(root, outdir, dirs) {
  const compiled = (file) => dirs.some((d) => !relative(join(root, d), file).startsWith(".."));
  return {
    name: "seller-bot-per-file",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (!/^\.\.?\//.test(args.path)) return { path: args.path, external: true };
        const target = resolve(args.resolveDir, args.path);
        // A compiled file: same place in the build. Anything else (a script, a .mjs): the file itself.
        if (target.endsWith(".ts") && compiled(target)) return { path: `${args.path.slice(0, -3)}.js`, external: true };
        const from = dirname(join(outdir, relative(root, args.importer)));
        const back = relative(from, target).split(sep).join("/");
        return { path: back.startsWith(".") ? back : `./${back}`, external: true };
      });
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        if (!/\bimport\.meta\.url\b/.test(source)) return { contents: source, loader: "ts" };
        const out = join(outdir, relative(root, args.path)).replace(/\.ts$/, ".js");
        const back = relative(dirname(out), args.path).split(sep).join("/");
        const declaration = `const __sourceUrl = new URL(${JSON.stringify(back)}, import.meta.url).href;\n`;
        return { contents: declaration + source.replace(/\bimport\.meta\.url\b/g, "__sourceUrl"), loader: "ts" };
      });
    },
  };
}

/**
 * Compiles the .ts files under `dirs` into `dist/<digest>/` (same layout as the repository)
 * unless that build exists, and removes all but the newest few other builds. Returns the folder
 * and, when it built, how long it took.
 */
export async function build({ dirs = ["src"], root = ROOT, dist = DIST } = {}) {
  const digest = sourceDigest(dirs, root);
  const dir = buildDir(digest, dist);
  if (isBuilt(dir)) return { dir, ms: undefined };
  const started = performance.now();
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  const { build: esbuild } = await import("esbuild");
  const entryPoints = dirs.flatMap((d) => filesUnder(join(root, d))).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  await esbuild({
    entryPoints,
    outdir: temp,
    outbase: root,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Maps on disk for `node --enable-source-maps` when a stack trace must point at .ts lines;
    // plain runs do not load them.
    sourcemap: "linked",
    logLevel: "warning",
    plugins: [perFilePlugin(root, dir, dirs)],
  }).catch((error) => {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  });
  writeFileSync(join(temp, DONE), `${JSON.stringify({ digest, dirs, files: entryPoints.length, builtAt: new Date().toISOString() })}\n`);
  try {
    renameSync(temp, dir);
  } catch (error) {
    // Another process finished the same build first: its folder is as good as ours.
    rmSync(temp, { recursive: true, force: true });
    if (!isBuilt(dir)) throw error;
  }
  prune(dist, dir);
  return { dir, ms: Math.round(performance.now() - started) };
}

function prune(dist, current) {
  const builds = readdirSync(dist)
    .filter((name) => /^[0-9a-f]{16}$/.test(name) && join(dist, name) !== current)
    .map((name) => ({ path: join(dist, name), at: statSync(join(dist, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { path } of builds.slice(KEEP)) rmSync(path, { recursive: true, force: true });
  // What a build killed midway left (a running one renames its folder within seconds).
  for (const name of readdirSync(dist).filter((n) => n.endsWith(".tmp"))) {
    const path = join(dist, name);
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--check")) {
    const dir = buildDir();
    console.log(isBuilt(dir) ? `up to date: ${relative(process.cwd(), dir)}` : `missing: ${relative(process.cwd(), dir)} (run npm run build)`);
    process.exit(isBuilt(dir) ? 0 : 1);
  }
  mkdirSync(DIST, { recursive: true });
  const { dir, ms } = await build().catch(() => process.exit(1)); // esbuild has printed what is wrong
  console.log(`${relative(process.cwd(), dir)}${ms === undefined ? " (already built)" : ` (built in ${ms} ms)`}`);
}
