#!/usr/bin/env node
// `npm run warm` (the last step of `npm run setup`): builds the understanding once, so the
// FAQ index, its trained classifier, the gazetteer and the lexicons are in their caches
// (files named by a digest of what they are built from, in the system's temporary folder)
// and the first `start` or `chat` reads them instead of building them (decision 0113).
// Runs `seller-bot ask hello` as any command would; its answer is not shown.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { NODE_FLAGS, ROOT } from "./build.mjs";

const t0 = performance.now();
const r = spawnSync(process.execPath, [...NODE_FLAGS, join(ROOT, "bin/seller-bot.js"), "ask", "hello"], { stdio: ["ignore", "ignore", "inherit"] });
if (r.status !== 0) {
  console.error(`warm: seller-bot ask failed (exit ${r.status ?? r.signal}); the first start will build the understanding itself`);
  process.exit(r.status ?? 1);
}
console.log(`understanding caches filled in ${Math.round(performance.now() - t0)} ms (FAQ index and classifier, gazetteer, lexicons)`);
