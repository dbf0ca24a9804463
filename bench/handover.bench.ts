/**
 * `npx tsx bench/handover.bench.ts [sqlite|postgres] [N]`: what the handover feature adds to
 * every seller message (the open-handover lookup and the history insert). The same database
 * and messages go through two cores in turn, rounds interleaved: all features, and all
 * features but the handover. Prints CPU time per message and msg/s for each, and the ratio.
 */
import { rmSync } from "node:fs";
import pino from "pino";
import { createApp } from "../src/app.ts";
import { createMemoryAdapter } from "../src/channels/memory/index.ts";
import { loadConfig } from "../src/config.ts";
import { createCore } from "../src/core/engine.ts";
import type { InboundMessage } from "../src/core/types.ts";
import { dropPostgresSchema, openDatabase } from "../src/db/client.ts";

const PG_URL = "postgresql://postgres@127.0.0.1:5432/test";
const provider = process.argv[2] ?? "sqlite";
const total = Number(process.argv[3] ?? 2000);
const TEXTS = ["hello", "account kaise banayen?", "what documents do I need", "fees kitni hai", "kya haal hai"];

const schema = `bench_handover_${process.pid}`;
const file = `.tmp/bench-handover-${process.pid}.db`;
const database = provider === "postgres" ? await openDatabase({ url: PG_URL, schema, migrate: true, poolSize: 10 }) : await openDatabase({ url: `file:${file}`, migrate: true });
const app = await createApp(loadConfig({ LOG_LEVEL: "silent" }), { database, log: pino({ level: "silent" }) });
const without = createCore(app.deps, app.features.filter((f) => f.name !== "handover"), { understander: app.understander });
const adapter = createMemoryAdapter("console");
app.deps.messenger.register(adapter);

let seq = 0;
async function run(core: typeof app.core, n: number): Promise<{ cpuUs: number; rate: number }> {
  const batch: InboundMessage[] = Array.from({ length: n }, (_, i) => ({
    channel: "console",
    messageId: `b-${seq++}`,
    chat: { id: `s-${i % 200}`, kind: "private" },
    sender: { id: `s-${i % 200}` },
    sentAt: new Date(),
    content: { kind: "text", text: TEXTS[i % TEXTS.length]! },
  }));
  let next = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < batch.length) {
        await core.handle(batch[next++]!);
        if (adapter.sent.length > 1000) adapter.sent.length = 0;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / n, rate: n / ((performance.now() - t0) / 1000) };
}

await run(app.core, 400); // warm-up: users created, caches built
await run(without, 400);
const rounds = 4;
const per = Math.ceil(total / rounds);
const sum = { with: { cpuUs: 0, rate: 0 }, without: { cpuUs: 0, rate: 0 } };
for (let r = 0; r < rounds; r++) {
  for (const [name, core] of r % 2 ? ([["without", without], ["with", app.core]] as const) : ([["with", app.core], ["without", without]] as const)) {
    const m = await run(core, per);
    sum[name].cpuUs += m.cpuUs / rounds;
    sum[name].rate += m.rate / rounds;
  }
}
console.log(
  `${provider}: ${per * rounds} messages each. with handover ${sum.with.cpuUs.toFixed(0)} µs CPU/msg, ${sum.with.rate.toFixed(0)} msg/s; ` +
    `without ${sum.without.cpuUs.toFixed(0)} µs CPU/msg, ${sum.without.rate.toFixed(0)} msg/s; CPU ratio ${(sum.with.cpuUs / sum.without.cpuUs).toFixed(2)}, throughput ratio ${(sum.with.rate / sum.without.rate).toFixed(2)}`,
);
await without.stop();
await app.core.stop();
await database.close();
if (provider === "postgres") await dropPostgresSchema(PG_URL, schema);
else for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
