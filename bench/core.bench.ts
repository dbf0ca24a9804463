/**
 * `npm run bench:core`: the full inbound → reply path (inbox, user, language, routing,
 * features, reply) for 10,000 messages from 1,000 users on the local channel, on SQLite and
 * on PostgreSQL. Prints throughput (closed loop, 64 in flight: its latency is mostly
 * queueing) with the CPU time per message, latency at an offered load of 500 msg/s (open
 * loop), and peak RSS. Each database runs in its own child process so RSS is its own; the
 * child runs this file compiled as `start` runs the bot (plain Node, scripts/build.mjs), and
 * its peak RSS is the kernel's high-water mark (getrusage), not a sample.
 * Targets (2 cores):
 * ≥ 1,000 msg/s, p99 ≤ 50 ms at 500 msg/s offered, RSS ≤ 200 MB.
 *
 * Every user sends the same ten-message conversation, one round at a time; the throughput
 * phase takes 70 % of the users and the latency phase the other 30 %, so both phases see
 * the same mix (before, the latency phase got only rounds 8–10: the partner finder's
 * messages, the dearest ones). Open-loop latency runs from each message's scheduled time,
 * so a late sender (a busy event loop) counts against the bot, not for it.
 *
 *   npm run bench:core                       # both
 *   npm run bench:core -- sqlite 2000        # one provider, fewer messages
 *   npm run bench:core -- postgres 10000 250 # offer 250 msg/s (a loaded machine)
 *   npm run bench:core -- --tsx              # the child on tsx's loader instead (as before the build)
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build, NODE_FLAGS, ROOT } from "../scripts/build.mjs";
import pino from "pino";
import { createApp } from "../src/app.ts";
import { createMemoryAdapter } from "../src/channels/memory/index.ts";
import { loadConfig } from "../src/config.ts";
import { dropPostgresSchema, openDatabase, type Database } from "../src/db/client.ts";
import type { InboundMessage } from "../src/core/types.ts";

const PG_URL = "postgresql://postgres@127.0.0.1:5432/test";
const args = process.argv.slice(2);
const [provider, countArg, rateArg] = args.filter((a) => !a.startsWith("--"));
const total = Number(countArg ?? 10_000);
const users = Math.min(1000, total);
const inFlight = 64;

// A realistic mix: greetings, menu, questions (FAQ), language switches and numbered replies.
const TEXTS = ["hello", "menu", "account kaise banayen?", "what documents do I need", "مجھے ممبرشپ فیس بتائیں", "language", "2", "nearest partner", "sialkot", "kya haal hai"];

// npm run bench:core: compile, then one child per database (the child has --child).
if (!args.includes("--child")) {
  const child = args.includes("--tsx")
    ? ["--import", "tsx", "bench/core.bench.ts"]
    : [join((await build({ dirs: ["src", "bench"], dist: join(ROOT, ".tmp/bench-dist") })).dir, "bench/core.bench.js")];
  for (const p of provider ? [provider] : ["sqlite", "postgres"]) {
    // With the flags the bot runs with (bin/seller-bot.js), so RSS is what `start` would show.
    const r = spawnSync(process.execPath, [...NODE_FLAGS, ...child, p, String(total), ...(rateArg ? [rateArg] : []), "--child"], { stdio: "inherit" });
    if (r.status) process.exit(r.status);
  }
  process.exit(0);
}
if (!provider) throw new Error("--child needs a provider");

async function open(): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  if (provider === "postgres") {
    const schema = `bench_core_${process.pid}`;
    const database = await openDatabase({ url: PG_URL, schema, migrate: true, poolSize: 10 });
    return {
      database,
      cleanup: async () => {
        await database.close();
        await dropPostgresSchema(PG_URL, schema);
      },
    };
  }
  const file = `.tmp/bench-core-${process.pid}.db`;
  const database = await openDatabase({ url: `file:${file}`, migrate: true });
  return { database, cleanup: async () => { await database.close(); for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true }); } };
}

// RSS is sampled from the message loops as well as a timer: under full load the promise
// chains can keep timers from firing for seconds.
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  // The kernel's high-water mark (ru_maxrss, KiB): exact, whenever it is read.
  peakRss = process.resourceUsage().maxRSS * 1024;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapTotal);
};
const sampler = setInterval(sample, 20);
const { database, cleanup } = await open();
const app = await createApp(loadConfig({ LOG_LEVEL: "silent" }), { database, log: pino({ level: "silent" }) });
const adapter = createMemoryAdapter("console");
app.deps.messenger.register(adapter);
await adapter.start(app.core.handle);
adapter.sent.length = 0;

// Message i is user (i % users)'s message number floor(i / users): round by round, so each
// user's messages keep their order (the town follows "nearest partner").
const messages: InboundMessage[] = Array.from({ length: total }, (_, i) => ({
  channel: "console",
  messageId: `bench-${i}`,
  chat: { id: `user-${i % users}`, kind: "private" },
  sender: { id: `user-${i % users}` },
  sentAt: new Date(),
  content: { kind: "text", text: TEXTS[Math.floor(i / users) % TEXTS.length]! },
}));

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!.toFixed(2);

/** Closed loop: `inFlight` senders back to back. Measures throughput (latency here is queueing). */
async function saturate(batch: InboundMessage[]): Promise<{ rate: number; latencies: number[]; cpuUs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batch.length) {
        const m = batch[next++]!;
        const t0 = performance.now();
        await adapter.receive(m);
        latencies.push(performance.now() - t0);
        if (latencies.length % 100 === 0) sample();
        // Keep the sent log from growing without bound; the bench only needs counts.
        if (adapter.sent.length > 1000) adapter.sent.length = 0;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  // CPU time per message: steadier than msg/s on a machine shared with other work.
  return { rate: batch.length / ((performance.now() - started) / 1000), latencies: latencies.sort((a, b) => a - b), cpuUs: (used.user + used.system) / batch.length };
}

/**
 * Open loop: messages arrive at `perSecond` whatever the bot does. Measures latency under
 * load, from each message's scheduled time to its reply. Also returns how late the sender
 * itself was (p99): when that is large, the event loop was blocked, not just the database.
 */
async function offer(batch: InboundMessage[], perSecond: number): Promise<{ latencies: number[]; lateP99: number; cpuUs: number }> {
  const latencies: number[] = [];
  const late: number[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  const pending: Promise<void>[] = [];
  for (const [i, m] of batch.entries()) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    late.push(Math.max(0, performance.now() - due));
    pending.push(adapter.receive(m).then(() => void latencies.push(performance.now() - due)));
    if (i % 100 === 0) sample();
    if (adapter.sent.length > 1000) adapter.sent.length = 0;
  }
  await Promise.all(pending);
  const used = process.cpuUsage(cpu);
  return { latencies: latencies.sort((a, b) => a - b), lateP99: Number(pct(late.sort((a, b) => a - b), 99)), cpuUs: (used.user + used.system) / batch.length };
}

// 70 % of the users (all their messages, round by round): throughput. The other 30 %: latency
// at an offered load of half the target rate. Both phases get the same mix of messages.
const closedUsers = Math.floor(users * 0.7);
const phase = (closed: boolean) => messages.filter((_, i) => i % users < closedUsers === closed);
const sat = await saturate(phase(true));
const rssAfterSaturation = peakRss;
sample();
const offeredRate = Number(rateArg ?? 500);
const openLoop = await offer(phase(false), offeredRate);
const offered = openLoop.latencies;
clearInterval(sampler);
sample();
console.log(
  `${provider.padEnd(8)} ${total} messages from ${users} users | throughput (${inFlight} in flight): ${Math.round(sat.rate)} msg/s, ` +
    `p50 ${pct(sat.latencies, 50)} ms, p99 ${pct(sat.latencies, 99)} ms, CPU ${Math.round(sat.cpuUs)} µs/msg | latency at ${offeredRate} msg/s offered: ` +
    `p50 ${pct(offered, 50)} ms, p99 ${pct(offered, 99)} ms, max ${offered.at(-1)!.toFixed(0)} ms (sender late p99 ${openLoop.lateP99.toFixed(1)} ms, CPU ${Math.round(openLoop.cpuUs)} µs/msg) | ` +
    `peak RSS ${Math.round(peakRss / 1048576)} MB (${Math.round(rssAfterSaturation / 1048576)} MB by the end of the throughput phase; JS heap ${Math.round(peakHeap / 1048576)} MB)`,
);
await adapter.stop();
await app.close();
await cleanup();
