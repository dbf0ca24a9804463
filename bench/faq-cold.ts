/**
 * One cold FAQ start, for bench/faq.bench.ts, which runs this file in fresh processes:
 * `tsx bench/faq-cold.ts cache|build`. The modules are imported first (not timed); then the
 * content is loaded and validated (topics, lexicon, out-of-scope questions, calibration);
 * then the index is read from the index cache (`cache`, as every start-up with unchanged
 * content does) or built from the content (`build`, as the first start after an edit does),
 * and the matcher set up over it; then a first question is matched. Prints one JSON line.
 */
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { LANGS } from "../src/core/types.ts";
import { loadCalibration } from "../src/features/faq/calibration.ts";
import { cachedIndex } from "../src/features/faq/index-cache.ts";
import { loadFaqContent } from "../src/features/faq/knowledge.ts";
import { buildMatcherIndex, createFaqMatcher } from "../src/features/faq/matcher.ts";

const mode = process.argv[2] === "build" ? "build" : "cache";
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const c0 = process.cpuUsage();
const t0 = performance.now();
const content = loadFaqContent(resolve("content/faq"));
const calibration = loadCalibration();
const t1 = performance.now();
const c1 = process.cpuUsage();
const negatives = LANGS.flatMap((l) => content.negatives[l]);
const options = { lexicon: content.lexicon, negatives, calibration };
const build = () => buildMatcherIndex(content.topics, options);
const { index, origin } = mode === "build" ? { index: build(), origin: "built" } : cachedIndex({ topics: content.topics, lexicon: content.lexicon, negatives }, build);
const t2 = performance.now();
const matcher = createFaqMatcher(content.topics, { ...options, index });
const t3 = performance.now();
const buildCpu = cpuMs(c1);
matcher.match("account register karne ke liye kya documents chahiye?");
const t4 = performance.now();
console.log(JSON.stringify({ mode, origin, load: t1 - t0, index: t2 - t1, setup: t3 - t2, build: t3 - t1, buildCpu, total: t3 - t0, totalCpu: cpuMs(c0), firstMatch: t4 - t3 }));
