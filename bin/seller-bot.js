#!/usr/bin/env -S node --max-old-space-size=512
// The `seller-bot` command. It runs the compiled build of src/ on plain Node: tsx's loader and
// its transform cache cost about 35 MB a process (docs/decisions/1105-compiled-build.md).
// The build's folder is named by a digest of the sources, so an edited src/ is never run from
// an old build: when the folder for the current sources is missing, it is compiled first
// (esbuild, a second or two, in a child process so this one keeps nothing of it). If that
// cannot be done (a read-only checkout without the build), the sources run through tsx.
// The first line's flag is NODE_FLAGS in scripts/build.mjs (docs/decisions/1106-heap-limit.md).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildDir, isBuilt, ROOT } from "../scripts/build.mjs";

/** The compiled entry point, or undefined when there is no build for these sources and none could be made. */
function compiledMain() {
  const dir = buildDir();
  if (isBuilt(dir)) return join(dir, "src/cli/main.js");
  process.stderr.write("seller-bot: src/ changed since the last build; compiling it (npm run build)\n");
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status === 0 && isBuilt(dir)) return join(dir, "src/cli/main.js");
  process.stderr.write("seller-bot: the build failed; running the sources through tsx instead\n");
  return undefined;
}

async function loadMain() {
  const compiled = compiledMain();
  if (compiled) return (await import(pathToFileURL(compiled).href)).main;
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("../src/cli/main.ts")).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
// Everything is closed by now. A socket to a silent database (or another stuck handle)
// must not keep the process alive: a supervisor waiting for the exit would wait forever.
setTimeout(() => process.exit(), 300).unref();
