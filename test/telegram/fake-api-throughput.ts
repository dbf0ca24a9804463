/**
 * How cheap the fake Bot API is per call, through the real adapter (grammY over HTTP):
 * N sendMessage calls to N chats, C at a time, with random 429s answered by waiting
 * retry_after. Not a test (no timing assertions); run it by hand:
 *   npx tsx test/telegram/fake-api-throughput.ts [N=10000] [C=25]
 */
import pino from "pino";
import { createTelegramAdapter } from "../../src/channels/telegram/index.ts";
import { ChannelError } from "../../src/core/errors.ts";
import { createI18n } from "../../src/i18n/index.ts";
import { createFakeBotApi } from "../support/fake-bot-api.ts";

const total = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 25);
const fake = await createFakeBotApi({ random: { p429: 0.01, retryAfter: 0.05, seed: 7 }, recordParams: false, rateLimit: false, knownChats: "any" });
const adapter = createTelegramAdapter({ token: fake.token, apiRoot: fake.url, mode: "polling", log: pino({ level: "silent" }), i18n: createI18n(), setCommands: false });
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
let next = 0;
let retries = 0;
async function worker(): Promise<void> {
  while (next < total) {
    const chat = String(100_000 + next++);
    for (;;) {
      try {
        await adapter.send(chat, { text: `Summit in Lahore <20 Dec> & more, recipient ${chat}` });
        break;
      } catch (error) {
        if (!(error instanceof ChannelError) || error.kind !== "rate-limited") throw error;
        retries += 1;
        await new Promise((r) => setTimeout(r, error.retryAfterMs));
      }
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
const sent = fake.callsTo("sendMessage").length;
console.log(JSON.stringify({ total, concurrency, sent, retries429: retries, calls: fake.calls.length, seconds: +seconds.toFixed(2), callsPerSecond: Math.round(fake.calls.length / seconds), heapGrowthMB: +((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1) }));
await fake.close();
