/**
 * Reliability of the outbox: 10,000 recipients, a fake Telegram Bot API answering some
 * calls 429 (retry_after), some 500 and some 403 (blocked), and the worker process
 * (`seller-bot start`) killed with SIGKILL three times during the run and restarted.
 * Prints lost / duplicated / blocked counts. Pass: nobody reachable is lost, every 403 is
 * marked blocked, and duplicates ≤ the sends in flight at the kills (a send is in flight
 * from its request until its row is marked sent; we count, after each kill, the chats the
 * API delivered to whose rows are not marked sent: exactly the sends a restart can repeat).
 *
 *   npx tsx bench/broadcast-reliability.ts [--recipients 10000] [--kills 3] [--database sqlite|postgres://…]
 */
import { parseArgs } from "node:util";
import { createHarness, deliveriesByChat, exited, until } from "./broadcast-harness.ts";

/** What a run measured. */
export interface ReliabilityResult {
  recipients: number;
  delivered: number;
  lost: number;
  duplicated: number;
  blocked: number;
  blockedMarked: number;
  /** chats whose last answer was 403 */
  blockedAnswers: number;
  failed: number;
  kills: Array<{ atDelivered: number; openRequests: number; claimedRows: number; unconfirmed: number }>;
  inFlightAtKills: number;
  rateLimited429: number;
  serverErrors500: number;
  seconds: number;
  pass: boolean;
}

/** Runs the kill/restart scenario. Small sizes make it a test; 10,000 is the benchmark. */
export async function runReliability(options: { recipients: number; kills: number; database: string; rate?: number; leaseMs?: number; log?: (line: string) => void }): Promise<ReliabilityResult> {
  const log = options.log ?? (() => undefined);
  const h = await createHarness({
    recipients: options.recipients,
    database: options.database,
    fake: { latencyMs: { min: 20, max: 80 }, random: { p429: 0.01, retryAfter: 1, p500: 0.03, p403: 0.01, seed: 7 } },
    env: { TELEGRAM_RATE_PER_SECOND: String(options.rate ?? 30), OUTBOX_LEASE_MS: String(options.leaseMs ?? 5000) },
  });
  const started = Date.now();
  try {
    let worker = h.startWorker();
    await until(() => h.fake.calls.some((c) => c.method === "getUpdates"), 50);
    await h.announce();
    const { fake } = h;
    const sendsOk = () => fake.calls.reduce((n, c) => n + (c.ok && c.method === "sendMessage" ? 1 : 0), 0);
    const kills: ReliabilityResult["kills"] = [];
    for (let k = 1; k <= options.kills; k++) {
      const target = Math.floor((options.recipients * k) / (options.kills + 1));
      await until(() => sendsOk() >= target, 20);
      worker.kill("SIGKILL");
      const openRequests = fake.calls.filter((c) => c.method === "sendMessage" && !c.ok && c.errorCode === undefined).length;
      await exited(worker);
      // Let the API finish answering requests the dead worker left open (it delivers them).
      const open = () => fake.calls.some((c) => c.method === "sendMessage" && !c.ok && c.errorCode === undefined);
      await until(() => !open(), 20, 10_000);
      const delivered = deliveriesByChat(fake);
      const rows = await h.app.deps.db.outboxMessage.findMany({ where: { broadcastId: h.broadcastId }, select: { chatId: true, status: true } });
      const unconfirmed = rows.filter((r) => r.status !== "sent" && delivered.has(r.chatId)).length;
      const claimedRows = rows.filter((r) => r.status === "sending").length;
      kills.push({ atDelivered: sendsOk(), openRequests, claimedRows, unconfirmed });
      log(`kill ${k}: delivered ${sendsOk()}, open requests ${openRequests}, rows claimed ${claimedRows}, delivered but not marked sent ${unconfirmed}`);
      worker = h.startWorker();
    }
    await until(async () => {
      const s = await h.statusCounts();
      return (s.pending ?? 0) + (s.sending ?? 0) === 0;
    }, 250);
    worker.kill("SIGTERM");
    await exited(worker);

    const delivered = deliveriesByChat(fake);
    const rows = await h.app.deps.db.outboxMessage.findMany({ where: { broadcastId: h.broadcastId }, select: { chatId: true, status: true } });
    const blockedChats = new Set(rows.filter((r) => r.status === "blocked").map((r) => r.chatId));
    // Chats whose last answer was 403. (The fake's 403s are random per call, so a 403 answered to a
    // killed worker can be followed by a successful resend; Telegram's blocks would persist.)
    const last = new Map<string, number>();
    for (const c of fake.calls) if (c.method === "sendMessage" && c.chatId && (c.ok || c.errorCode)) last.set(c.chatId, c.ok ? 200 : c.errorCode!);
    const answered403 = new Set([...last].filter(([, code]) => code === 403).map(([chat]) => chat));
    const marked = await h.app.deps.db.channelIdentity.count({ where: { channel: "telegram", blockedAt: { not: null } } });
    const lost = rows.filter((r) => r.status !== "blocked" && !delivered.has(r.chatId)).length;
    const duplicated = [...delivered.values()].reduce((s, n) => s + n - 1, 0);
    const inFlightAtKills = kills.reduce((s, k) => s + k.unconfirmed, 0);
    const result: ReliabilityResult = {
      recipients: options.recipients,
      delivered: delivered.size,
      lost,
      duplicated,
      blocked: blockedChats.size,
      blockedMarked: marked,
      blockedAnswers: answered403.size,
      failed: rows.filter((r) => r.status === "failed").length,
      kills,
      inFlightAtKills,
      rateLimited429: fake.calls.filter((c) => c.errorCode === 429).length,
      serverErrors500: fake.calls.filter((c) => c.errorCode === 500).length,
      seconds: Math.round((Date.now() - started) / 1000),
      pass: false,
    };
    result.pass = lost === 0 && result.failed === 0 && duplicated <= inFlightAtKills && marked === answered403.size && blockedChats.size === answered403.size;
    return result;
  } finally {
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      recipients: { type: "string", default: "10000" },
      kills: { type: "string", default: "3" },
      database: { type: "string", default: "sqlite" },
      rate: { type: "string", default: "30" },
    },
  });
  const result = await runReliability({
    recipients: Number(values.recipients),
    kills: Number(values.kills),
    database: values.database!,
    rate: Number(values.rate),
    log: (line) => process.stderr.write(`  ${line}\n`),
  });
  console.log(`reliability: lost ${result.lost}, duplicated ${result.duplicated} (≤ ${result.inFlightAtKills} in flight at ${result.kills.length} kills), blocked ${result.blocked} (marked ${result.blockedMarked}, 403 answers ${result.blockedAnswers}), failed ${result.failed}, 429s ${result.rateLimited429}, 500s ${result.serverErrors500}, ${result.seconds} s`);
  console.log(JSON.stringify(result));
  if (!result.pass) process.exitCode = 1;
}
