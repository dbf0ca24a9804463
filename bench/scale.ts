/**
 * Several `seller-bot start` processes on one PostgreSQL (issue 17), through a fake Bot API
 * (test/support/fake-bot-api.ts) answering in 40–60 ms. Prints, never asserts.
 *
 * broadcast (default): N processes, one broadcast to R Telegram recipients, one process
 * SIGKILLed midway. Prints the deployment's peak sends in any one second (arrivals at the
 * API, sliding window and calendar seconds) against the configured rate, the most messages
 * one chat got in one second, lost, and duplicates against the sends the killed process had
 * in flight (delivered but not recorded as sent when it died).
 *
 * webhook: two processes in webhook mode, U updates from U different users split between
 * them, a share sent to both. Prints inbox rows, handled rows, and how many chats were
 * answered more than once (an update handled twice answers twice).
 *
 *   npm run bench:scale -- [--mode broadcast|webhook] [--recipients 6000] [--rate 30]
 *     [--processes 3] [--kill true] [--updates 10000] [--both 0.05] [--database postgres://…]
 */
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { createHarness, deliveriesByChat, exited, until, type Harness } from "./broadcast-harness.ts";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "broadcast" },
    recipients: { type: "string", default: "6000" },
    rate: { type: "string", default: "30" },
    processes: { type: "string", default: "3" },
    kill: { type: "string", default: "true" },
    updates: { type: "string", default: "10000" },
    both: { type: "string", default: "0.05" },
    database: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/test" },
    // Keeps the texts sent and the workers' warnings (.tmp/bench-scale/), and prints what the
    // chats answered more than once got.
    trace: { type: "boolean", default: false },
  },
});

const SECRET = "bench-scale-secret";

/** A free local TCP port (for each process's HTTP server, so updates can be aimed at it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function startProcesses(h: Harness, n: number, env: Record<string, string> = {}) {
  const ports = await Promise.all(Array.from({ length: n }, freePort));
  const workers = ports.map((port) =>
    h.startWorker({
      TELEGRAM_MODE: "webhook",
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/webhooks/telegram`,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      HTTP_PORT: String(port),
      ...env,
    }),
  );
  await until(() => h.fake.calls.filter((c) => c.method === "setWebhook" && c.ok).length >= n, 100, 120_000);
  return { ports, workers };
}

/** The most arrivals in any window of 1 s, and in any calendar second. */
function peaks(times: number[]): { sliding: number; calendar: number } {
  const t = [...times].sort((a, b) => a - b);
  let sliding = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= 1000) j++;
    sliding = Math.max(sliding, i - j + 1);
  }
  const perSecond = new Map<number, number>();
  for (const x of t) perSecond.set(Math.floor(x / 1000), (perSecond.get(Math.floor(x / 1000)) ?? 0) + 1);
  return { sliding, calendar: Math.max(0, ...perSecond.values()) };
}

async function broadcast(): Promise<void> {
  const recipients = Number(values.recipients);
  const rate = Number(values.rate);
  const n = Number(values.processes);
  const h = await createHarness({
    recipients,
    database: values.database!,
    // Telegram's own limits off in the fake: the bench measures what the deployment sends.
    fake: { latencyMs: { min: 40, max: 60 }, rateLimit: false, localServer: true },
    env: { TELEGRAM_RATE_PER_SECOND: String(rate), OUTBOX_LEASE_MS: "5000", LOG_LEVEL: "error" },
  });
  try {
    const { workers } = await startProcesses(h, n);
    const t0 = Date.now();
    await h.announce();
    const sendsOk = () => h.fake.calls.reduce((k, c) => k + (c.ok && c.method === "sendMessage" ? 1 : 0), 0);
    let inFlightAtKill = 0;
    if (values.kill === "true") {
      await until(() => sendsOk() >= recipients / 2, 50);
      const victim = workers[0]!;
      victim.kill("SIGKILL");
      await exited(victim);
      // What the victim wrote before dying reaches the fake within moments (a request can still
      // be in the socket when the exit is seen); nobody else can send the rows it held before
      // their lease ends (5 s), so the calls recorded half a second later are the victim's.
      await new Promise((r) => setTimeout(r, 500));
      const arrivedBefore = h.fake.calls.length;
      const held = await h.app.deps.db.outboxMessage.findMany({ where: { broadcastId: h.broadcastId, status: "sending", claimedBy: { contains: `:${victim.pid}:` } }, select: { chatId: true } });
      const open = () => h.fake.calls.slice(0, arrivedBefore).some((c) => c.method === "sendMessage" && !c.ok && c.errorCode === undefined);
      await until(() => !open(), 20, 10_000);
      // Sends the victim delivered but never recorded as sent: what another process may repeat.
      const deliveredBefore = new Set(h.fake.calls.slice(0, arrivedBefore).flatMap((c) => (c.ok && c.method === "sendMessage" && c.chatId ? [c.chatId] : [])));
      inFlightAtKill = held.filter((r) => deliveredBefore.has(r.chatId)).length;
      console.error(`  killed one process at ${sendsOk()} delivered; ${inFlightAtKill} delivered but not recorded`);
    }
    await until(async () => {
      const s = await h.statusCounts();
      return (s.pending ?? 0) + (s.sending ?? 0) === 0;
    }, 250, 60 * 60_000);
    const seconds = (Date.now() - t0) / 1000;
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map(exited));

    const sends = h.fake.calls.filter((c) => c.ok && c.method === "sendMessage");
    const { sliding, calendar } = peaks(sends.map((c) => c.at));
    const perChatSecond = new Map<string, number>();
    for (const c of sends) {
      const k = `${c.chatId}:${Math.floor(c.at / 1000)}`;
      perChatSecond.set(k, (perChatSecond.get(k) ?? 0) + 1);
    }
    const delivered = deliveriesByChat(h.fake);
    const lost = h.chatIds.filter((c) => !delivered.has(c)).length;
    const duplicates = [...delivered.values()].reduce((s, k) => s + k - 1, 0);
    const status = await h.statusCounts();
    console.log(
      `bench:scale broadcast (${n} processes, PostgreSQL, ${recipients} recipients, fake Bot API 40–60 ms, rate ${rate}/s configured):\n` +
        `  peak in any 1 s: ${sliding} (sliding), ${calendar} (calendar second); configured ${rate}, allowed ${rate + 1}\n` +
        `  mean ${(sends.length / seconds).toFixed(1)} msg/s over ${seconds.toFixed(0)} s; max per chat in one second: ${Math.max(0, ...perChatSecond.values())}\n` +
        `  lost ${lost}; duplicates ${duplicates} (killed process had ${inFlightAtKill} in flight); outbox ${JSON.stringify(status)}`,
    );
    console.log(JSON.stringify({ mode: "broadcast", processes: n, recipients, rate, peakSliding: sliding, peakCalendar: calendar, maxPerChatSecond: Math.max(0, ...perChatSecond.values()), lost, duplicates, inFlightAtKill, seconds: Math.round(seconds) }));
  } finally {
    await h.close();
  }
}

async function webhook(): Promise<void> {
  const updates = Number(values.updates);
  const both = Number(values.both);
  const trace = values.trace === true;
  const h = await createHarness({
    recipients: 0,
    database: values.database!,
    fake: { latencyMs: { min: 40, max: 60 }, rateLimit: false, knownChats: "any", localServer: true, recordParams: trace },
    env: { LOG_LEVEL: trace ? "warn" : "error" },
    ...(trace ? { logDir: LOG_DIR } : {}),
  });
  try {
    const { ports, workers } = await startProcesses(h, 2);
    const urls = ports.map((p) => `http://127.0.0.1:${p}/webhooks/telegram`);
    const t0 = Date.now();
    let sentToBoth = 0;
    let redelivered = 0;
    const statuses = new Map<number, number>();
    let next = 0;
    // 32 deliveries at a time, as Telegram's max_connections would; a share goes to both at once.
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < updates) {
          const i = next++;
          const user = 3_000_000 + i;
          const update = h.fake.makeUpdate({ message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: user, type: "private", first_name: `U${i}` }, from: { id: user, is_bot: false, first_name: `U${i}` }, text: "hello" } });
          const targets = i % Math.round(1 / both) === 0 ? urls : [urls[i % 2]!];
          if (targets.length === 2) sentToBoth += 1;
          // Telegram sends an update again until it gets a 2xx (a 503: not stored in time).
          const deliver = async (url: string) => {
            for (let attempt = 0; ; attempt++) {
              const code = await h.fake.deliver(update, { url, secret: SECRET });
              statuses.set(code, (statuses.get(code) ?? 0) + 1);
              if (code === 200 || attempt >= 10) return;
              if (attempt === 0) redelivered += 1;
              await new Promise((r) => setTimeout(r, 500));
            }
          };
          await Promise.all(targets.map(deliver));
        }
      }),
    );
    const db = h.app.deps.db;
    await until(async () => (await db.inboundMessage.count({ where: { handledAt: null } })) === 0, 250, 30 * 60_000);
    const seconds = (Date.now() - t0) / 1000;
    // Let the last replies leave.
    await new Promise((r) => setTimeout(r, 2000));
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map(exited));
    const rows = await db.inboundMessage.count({ where: { channel: "telegram" } });
    const handled = await db.inboundMessage.count({ where: { channel: "telegram", handledAt: { not: null } } });
    const perChat = new Map<string, number>();
    for (const c of h.fake.calls) if (c.ok && c.method === "sendMessage" && c.chatId) perChat.set(c.chatId, (perChat.get(c.chatId) ?? 0) + 1);
    const counts = [...perChat.values()];
    const typical = mode(counts);
    const answeredTwice = counts.filter((k) => k > typical).length;
    const unanswered = updates - perChat.size;
    console.log(
      `bench:scale webhook (2 processes, PostgreSQL, ${updates} updates, ${sentToBoth} sent to both, fake Bot API 40–60 ms):\n` +
        `  webhook answers ${JSON.stringify(Object.fromEntries(statuses))} (${redelivered} sent again after a non-200, as Telegram does); inbox rows ${rows}, handled ${handled}, in ${seconds.toFixed(0)} s\n` +
        `  chats answered ${perChat.size} (each with ${typical} messages); more than that ${answeredTwice}; unanswered ${unanswered}`,
    );
    if (trace) await printRepeats(h, perChat, typical);
    console.log(JSON.stringify({ mode: "webhook", updates, sentToBoth, inboxRows: rows, handled, answeredTwice, unanswered, seconds: Math.round(seconds) }));
  } finally {
    await h.close();
  }
}

const LOG_DIR = ".tmp/bench-scale";

/** What a few chats answered more than `typical` times got, and their inbox rows. */
async function printRepeats(h: Harness, perChat: Map<string, number>, typical: number): Promise<void> {
  const repeated = [...perChat].filter(([, k]) => k > typical).map(([chat]) => chat);
  console.log(`  repeated chats (first 8 of ${repeated.length}; workers' logs in ${LOG_DIR}):`);
  for (const chat of repeated.slice(0, 8)) {
    const sends = h.fake.calls.filter((c) => c.method === "sendMessage" && c.chatId === chat);
    const rows = await h.app.deps.db.inboundMessage.findMany({ where: { externalMessageId: { startsWith: `${chat}:` } } });
    console.log(`  chat ${chat}: inbox ${JSON.stringify(rows.map((r) => ({ id: r.id, attempts: r.attempts, claimedBy: r.claimedBy?.split(":")[2], handled: r.handledAt?.toISOString().slice(11, 23) })))}`);
    for (const c of sends) console.log(`    ${(c.at / 1000).toFixed(3)} s ${c.ok ? "ok" : `error ${c.errorCode}`} ${JSON.stringify(String(c.params.text ?? "").slice(0, 60))}`);
  }
}

function mode(xs: number[]): number {
  const m = new Map<number, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
}

if (values.mode === "webhook") await webhook();
else await broadcast();
