/**
 * The fake Bot API's injected latency, measured (moved out of the tests: a timed assertion
 * fails on a busy machine). Prints the configured and observed delay of getMe.
 * Run: npx tsx bench/fake-bot-api-latency.ts
 */
import { createFakeBotApi } from "../test/support/fake-bot-api.ts";

const configured = 60;
const fake = await createFakeBotApi({ latencyMs: configured });
const samples: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  await fetch(`${fake.url}/bot${fake.token}/getMe`, { method: "POST" }).then((r) => r.arrayBuffer());
  samples.push(performance.now() - t0);
}
await fake.close();
samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
console.log(`fake Bot API latency: configured ${configured} ms; getMe p0 ${at(0)} ms, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms (n=${samples.length})`);
