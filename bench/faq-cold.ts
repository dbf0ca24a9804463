/**
 * One cold FAQ index build, for bench/faq.bench.ts, which runs this file in fresh processes:
 * the modules are imported first (not timed), then the content is loaded and validated and
 * the index built once, as the first question after a start-up does. Prints one JSON line.
 */
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { loadKnowledgeBase } from "../src/features/faq/knowledge.ts";

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const kb = loadKnowledgeBase(resolve("content/faq"));
const wall = performance.now() - t0;
const used = process.cpuUsage(cpu0);
const t1 = performance.now();
kb.matcher.match("account register karne ke liye kya documents chahiye?");
const firstMatch = performance.now() - t1;
console.log(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000, firstMatch }));
