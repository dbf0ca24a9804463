/**
 * One cold FAQ start, for bench/faq.bench.ts, which runs this file in fresh processes: the
 * modules are imported first (not timed); then the content is loaded and validated (topics,
 * lexicon, out-of-scope questions, calibration) and the index built once, as the first
 * question after a start-up does; then that first question is matched. Prints one JSON line.
 */
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { LANGS } from "../src/core/types.ts";
import { loadCalibration } from "../src/features/faq/calibration.ts";
import { loadFaqContent } from "../src/features/faq/knowledge.ts";
import { createFaqMatcher } from "../src/features/faq/matcher.ts";

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
const matcher = createFaqMatcher(content.topics, { lexicon: content.lexicon, negatives: LANGS.flatMap((l) => content.negatives[l]), calibration });
const t2 = performance.now();
const buildCpu = cpuMs(c1);
matcher.match("account register karne ke liye kya documents chahiye?");
const t3 = performance.now();
console.log(JSON.stringify({ load: t1 - t0, build: t2 - t1, buildCpu, total: t2 - t0, totalCpu: cpuMs(c0) - 0, firstMatch: t3 - t2 }));
