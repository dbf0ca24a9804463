/**
 * `npm run bench:faq [-- --seconds 3]`: FAQ index build time, matches per second on one core
 * and per-match latency (p50/p99) with the whole knowledge base loaded. Queries are the
 * knowledge base's own examples plus their variants (lower case, typo, greeting in front,
 * Arabic letter forms), cycled. Prints figures; asserts nothing (targets in docs/faq.md).
 */
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { loadFaqTopics } from "../src/features/faq/content.ts";
import { createFaqMatcher } from "../src/features/faq/matcher.ts";
import { LANGS } from "../src/core/types.ts";

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf("--seconds") + 1]) || 2;
const topics = loadFaqTopics(resolve("content/faq"));

// Build: median of several builds (the first one also warms the JIT).
// CPU time is reported next to wall time: on a shared machine wall time includes waiting.
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const builds: number[] = [];
const buildCpu: number[] = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  createFaqMatcher(topics);
  buildCpu.push(cpuMs(c0));
  builds.push(performance.now() - t0);
}
const matcher = createFaqMatcher(topics);

const base = topics.flatMap((t) => LANGS.flatMap((l) => t.examples[l]));
const typo = (s: string) => (s.length > 6 ? s.slice(0, 3) + s[4] + s[3] + s.slice(5) : s);
const queries = base.flatMap((q) => [q, `salam bhai ${q.toLowerCase()}`, typo(q), q.replace(/ی/g, "ي").replace(/ک/g, "ك"), "what is the weather in lahore today"]);

for (let i = 0; i < 2000; i++) matcher.match(queries[i % queries.length]!); // warm-up

const latencies: number[] = [];
const cpuLatencies: number[] = [];
const start = performance.now();
const cpuStart = process.cpuUsage();
let n = 0;
while (performance.now() - start < seconds * 1000) {
  const q = queries[n % queries.length]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  matcher.match(q);
  latencies.push(performance.now() - t0);
  cpuLatencies.push(cpuMs(c0));
  n += 1;
}
const elapsed = (performance.now() - start) / 1000;
const cpuSeconds = cpuMs(cpuStart) / 1000;
latencies.sort((a, b) => a - b);
cpuLatencies.sort((a, b) => a - b);
const pctOf = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))]!;
const pct = (p: number) => pctOf(latencies, p);
const sortedBuilds = [...builds].sort((a, b) => a - b);

console.log(`knowledge base: ${topics.length} topics, ${base.length} examples; ${queries.length} distinct queries`);
const sortedCpu = [...buildCpu].sort((a, b) => a - b);
console.log(`index build: first ${builds[0]!.toFixed(1)} ms wall / ${buildCpu[0]!.toFixed(1)} ms cpu (cold caches); median ${sortedBuilds[3]!.toFixed(1)} ms wall / ${sortedCpu[3]!.toFixed(1)} ms cpu (target ≤ 200 ms)`);
console.log(`matches: ${n} in ${elapsed.toFixed(2)} s wall = ${Math.round(n / elapsed)}/s; ${Math.round(n / cpuSeconds)}/s per cpu-second (one thread; target ≥ 5000/s)`);
console.log(`latency wall: p50 ${pct(50).toFixed(3)} ms, p99 ${pct(99).toFixed(3)} ms, max ${latencies.at(-1)!.toFixed(3)} ms (target p99 ≤ 2 ms)`);
console.log(`latency cpu:  p50 ${pctOf(cpuLatencies, 50).toFixed(3)} ms, p99 ${pctOf(cpuLatencies, 99).toFixed(3)} ms`);
console.log(`load average while measuring: ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}`);
