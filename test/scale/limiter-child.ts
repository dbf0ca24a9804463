/**
 * One process of the shared-limit test (test/scale/shared-limits.test.ts): opens its own
 * pool on the schema given, waits for "go" on stdin, then for `durationMs` runs `workers`
 * concurrent senders through a pacer on the shared PostgreSQL store, each sending to its own
 * chats plus, every fourth send, to the chat "shared". Prints one JSON line: the times
 * (epoch ms) each send was allowed, with its chat.
 */
import { createInterface } from "node:readline";
import pg from "pg";
import { createPostgresLimitStore } from "../../src/core/limits/postgres-store.ts";
import { createPacer } from "../../src/features/broadcasts/pacer.ts";

const [url, schema, rate, durationMs, workers, name] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path="${schema}"` });
const pacer = createPacer(
  { telegramRatePerSecond: Number(rate), perChatGapMs: 1000, groupPerMinute: 20, whatsappMinGapMs: 0, whatsappMaxGapMs: 0 },
  undefined,
  undefined,
  createPostgresLimitStore(pool),
);
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
for await (const line of lines) if (line.trim() === "go") break;
const sends: Array<[number, string]> = [];
const end = Date.now() + Number(durationMs);
let n = 0;
await Promise.all(
  Array.from({ length: Number(workers) }, async () => {
    while (Date.now() < end) {
      const chat = ++n % 4 === 0 ? "shared" : `${name}-${n}`;
      await pacer.acquire("telegram", chat, false, () => Date.now() >= end);
      if (Date.now() < end) sends.push([Date.now(), chat]);
    }
  }),
);
process.stdout.write(`${JSON.stringify(sends)}\n`);
lines.close();
await pool.end();
