/**
 * `npm run bench:understand [-- --seconds 3] [--runs 5]`: the whole understanding step
 * (normalisation, entities, the FAQ match, the intent) per message: p50/p99 latency and
 * messages per second on one thread, and the cold build of everything it needs in fresh
 * processes (FAQ index, gazetteer, lexicons and rules; our share apart from the FAQ index).
 * Messages: eval/intents-dev.jsonl, the content's own examples and FAQ examples, each also
 * with a greeting in front, a typo and Arabic-keyboard letters, plus bad input (5,000
 * characters, emoji, digits). Prints figures; asserts nothing (targets in docs/understanding.md).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

/** One cold build in this (fresh) process: prints a JSON line of wall/cpu milliseconds per part. */
async function coldBuild(): Promise<void> {
  const t = () => [performance.now(), process.cpuUsage()] as const;
  const since = ([w, c]: readonly [number, NodeJS.CpuUsage]) => ({ wall: performance.now() - w, cpu: cpuMs(c) });
  const m0 = t();
  const { faqDir, loadKnowledgeBase } = await import("../src/features/faq/knowledge.ts");
  const { loadGazetteer } = await import("../src/features/partners/gazetteer.ts");
  const { createContentUnderstander } = await import("../src/understanding/wiring.ts");
  const imports = since(m0);
  const f0 = t();
  const kb = loadKnowledgeBase(faqDir("content"));
  const faq = since(f0);
  const g0 = t();
  loadGazetteer();
  const gazetteer = since(g0);
  const u0 = t();
  const understander = createContentUnderstander("content", kb);
  const rules = since(u0);
  const q0 = t();
  understander.understand("salam bhai sialkot mein partner chahiye");
  const first = since(q0);
  console.log(JSON.stringify({ imports, faq, gazetteer, rules, first }));
}

async function main(): Promise<void> {
  const seconds = option("--seconds", 2);
  const runs = option("--runs", 5);
  const { faqDir, loadKnowledgeBase } = await import("../src/features/faq/knowledge.ts");
  const { createContentUnderstander } = await import("../src/understanding/wiring.ts");
  const { loadLexicons, understandingDir } = await import("../src/understanding/lexicon.ts");
  const kb = loadKnowledgeBase(faqDir("content"));
  const understander = createContentUnderstander("content", kb);

  // Messages.
  const base: string[] = [];
  if (existsSync("eval/intents-dev.jsonl")) {
    for (const line of readFileSync("eval/intents-dev.jsonl", "utf8").split("\n")) if (line.trim()) base.push(JSON.parse(line).text as string);
  }
  for (const spec of Object.values(loadLexicons(understandingDir("content")).intents.intents)) base.push(...spec.examples.en, ...spec.examples.ur, ...spec.examples["ur-Latn"]);
  for (const topic of kb.topics.values()) base.push(...topic.examples.en.slice(0, 5), ...topic.examples.ur.slice(0, 5), ...topic.examples["ur-Latn"].slice(0, 5));
  const typo = (s: string) => (s.length > 6 ? s.slice(0, 3) + s[4] + s[3] + s.slice(5) : s);
  const messages = base.flatMap((q) => [q, `AoA bhai ${q.toLowerCase()}`, typo(q), q.replace(/ی/g, "ي").replace(/ک/g, "ك")]);
  messages.push("fees kitni hai ".repeat(400), "😀🎉👍", "1234567", "?", "par\u200Btner kahan hai");

  for (let i = 0; i < 3000; i++) understander.understand(messages[i % messages.length]!); // warm-up

  const wall: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    const text = messages[n % messages.length]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    understander.understand(text);
    wall.push(performance.now() - t0);
    cpu.push(cpuMs(c0));
    n += 1;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpuSeconds = cpuMs(cpuStart) / 1000;
  // The FAQ match alone on the same messages, as a baseline measured in the same run.
  const faqStart = performance.now();
  for (let i = 0; i < Math.min(n, 20_000); i++) kb.matcher.match(messages[i % messages.length]!);
  const faqPerMessage = (performance.now() - faqStart) / Math.min(n, 20_000);
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const at = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))]!;

  // Cold builds in fresh processes.
  const self = fileURLToPath(import.meta.url);
  const cold = Array.from({ length: runs }, () => JSON.parse(execFileSync(process.execPath, ["--import", "tsx", self, "--cold"], { encoding: "utf8" }).trim().split("\n").at(-1)!));
  const median = (key: string, kind: "wall" | "cpu") => {
    const values = cold.map((c) => c[key][kind] as number).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)]!;
  };

  console.log(`${messages.length} distinct messages (${base.length} texts and their variants, plus bad input)`);
  console.log(`understanding: ${n} in ${elapsed.toFixed(2)} s wall = ${Math.round(n / elapsed)}/s; ${Math.round(n / cpuSeconds)}/s per cpu-second (one thread; target ≥ 5000/s)`);
  console.log(`latency wall: p50 ${at(wall, 50).toFixed(3)} ms, p99 ${at(wall, 99).toFixed(3)} ms, max ${wall.at(-1)!.toFixed(3)} ms (target p99 ≤ 2 ms)`);
  console.log(`latency cpu:  p50 ${at(cpu, 50).toFixed(3)} ms, p99 ${at(cpu, 99).toFixed(3)} ms`);
  console.log(`the FAQ match alone on the same messages: ${faqPerMessage.toFixed(3)} ms per message (mean)`);
  console.log(`cold build in a fresh process, median of ${runs} (wall / cpu ms):`);
  for (const [key, label] of [["faq", "FAQ index (the faq feature's)"], ["gazetteer", "gazetteer"], ["rules", "lexicons and rules (ours)"], ["first", "first message"]] as const) {
    console.log(`  ${label.padEnd(30)} ${median(key, "wall").toFixed(1).padStart(7)} / ${median(key, "cpu").toFixed(1).padStart(7)}`);
  }
  const total = (kind: "wall" | "cpu") => ["faq", "gazetteer", "rules", "first"].reduce((s, k) => s + median(k, kind), 0);
  const ours = (kind: "wall" | "cpu") => ["gazetteer", "rules", "first"].reduce((s, k) => s + median(k, kind), 0);
  console.log(`  ${"total (target ≤ 200 ms)".padEnd(30)} ${total("wall").toFixed(1).padStart(7)} / ${total("cpu").toFixed(1).padStart(7)}`);
  console.log(`  ${"ours without the FAQ index".padEnd(30)} ${ours("wall").toFixed(1).padStart(7)} / ${ours("cpu").toFixed(1).padStart(7)}`);
  console.log(`load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
}

await (args.includes("--cold") ? coldBuild() : main());
