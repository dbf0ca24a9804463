/**
 * PostgreSQL going silent under the real `seller-bot start`: a TCP proxy
 * (test/support/tcp-proxy.ts) between the bot and PostgreSQL accepts connections but
 * forwards nothing for STALL seconds, while a broadcast is being delivered and users write.
 * Measures: `/health` during the stall (first 503 after the stall began, slowest answer);
 * after it, how long until every message sent during the stall is answered and the outbox
 * has sent every row; then a second stall with SIGTERM in it: how long until the process
 * exits. Pass: 503 within 2 s, every answer within 2 s, all answered within 30 s of the
 * end of the stall, the outbox finished, exit within 10 s.
 *
 *   npx tsx bench/postgres-stall.ts [--stall 15] [--recipients 200] [--users 20] [--database postgresql://…]
 */
import { parseArgs } from "node:util";
import { createTcpProxy, freePort } from "../test/support/tcp-proxy.ts";
import { createHarness, deliveriesByChat, exited, until } from "./broadcast-harness.ts";

/** What a run measured. */
export interface StallResult {
  stallMs: number;
  health: { first503AfterMs: number | null; slowestAnswerMs: number; answers: number; non503: number };
  duringStall: { users: number; answered: number; lastAnsweredAfterResumeMs: number | null; apologies: number };
  outbox: { recipients: number; sentBeforeStall: number; sentAfter: number; finishedAfterResumeMs: number | null; duplicates: number };
  sigterm: { exitMs: number; code: number | null };
  pass: boolean;
}

/** Runs the scenario (a child process, a fake Bot API, a proxy in front of PostgreSQL). */
export async function runPostgresStall(options: { database: string; stallMs: number; recipients: number; users: number; env?: Record<string, string>; log?: (line: string) => void }): Promise<StallResult> {
  const log = options.log ?? (() => undefined);
  const h = await createHarness({
    recipients: options.recipients,
    database: options.database,
    fake: { latencyMs: { min: 20, max: 60 } },
    env: { TELEGRAM_RATE_PER_SECOND: "25", OUTBOX_LEASE_MS: "10000", ...options.env },
  });
  const target = new URL(options.database);
  const proxy = await createTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const port = await freePort();
  const health = async (timeoutMs = 5000) => {
    const t0 = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
    return { status: res?.status ?? 0, ms: Date.now() - t0 };
  };
  const { fake } = h;
  const apology = h.app.deps.i18n.t("en")("common:error.apology");
  try {
    let worker = h.startWorker({ DATABASE_URL: proxy.url(h.url), HTTP_PORT: String(port) });
    await until(async () => (await health()).status === 200, 100, 60_000);
    const warm = 4_000_000;
    fake.pushText("/start", { from: { id: warm, first_name: "Warm" } });
    await until(() => fake.callsTo("sendMessage", warm).length > 0, 50, 30_000);
    const broadcastId = await h.announce();
    const sent = async () => (await h.statusCounts()).sent ?? 0;
    await until(async () => (await sent()) >= Math.min(40, options.recipients / 4), 100, 60_000);
    const sentBeforeStall = await sent();

    // The stall: health every 250 ms, users writing.
    proxy.stall();
    const stallAt = Date.now();
    log(`stall begins (${sentBeforeStall} of ${options.recipients} announcements sent)`);
    const users = Array.from({ length: options.users }, (_, i) => 4_100_000 + i);
    const answers: Array<{ status: number; ms: number; at: number }> = [];
    const probing = (async () => {
      while (Date.now() - stallAt < options.stallMs) {
        const at = Date.now() - stallAt;
        answers.push({ ...(await health(3000)), at });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await new Promise((r) => setTimeout(r, Math.min(1000, options.stallMs / 4)));
    for (const [i, id] of users.entries()) fake.pushText("/start", { from: { id, first_name: `Stalled${i}` } });
    await probing;
    proxy.resume();
    const resumeAt = Date.now();
    log(`stall over after ${resumeAt - stallAt} ms`);
    const answered = () => users.filter((u) => fake.callsTo("sendMessage", u).length > 0).length;
    let lastAnsweredAfterResumeMs: number | null = null;
    await until(() => answered() === users.length, 100, 45_000).then(() => (lastAnsweredAfterResumeMs = Date.now() - resumeAt), () => undefined);
    let finishedAfterResumeMs: number | null = null;
    const total = await h.app.deps.db.outboxMessage.count({ where: { broadcastId } });
    await until(async () => (await sent()) + ((await h.statusCounts()).blocked ?? 0) >= total, 200, 60_000).then(() => (finishedAfterResumeMs = Date.now() - resumeAt), () => undefined);
    const rows = await h.app.deps.db.outboxMessage.findMany({ where: { broadcastId }, select: { chatId: true } });
    const recipients = rows.length;
    const byChat = deliveriesByChat(fake);
    const duplicates = rows.reduce((n, r) => n + Math.max(0, (byChat.get(r.chatId) ?? 0) - 1), 0);

    // A second stall, and SIGTERM in the middle of it.
    proxy.stall();
    fake.pushText("/start", { from: { id: 4_200_000, first_name: "Late" } });
    await new Promise((r) => setTimeout(r, 1000));
    const termAt = Date.now();
    worker.kill("SIGTERM");
    // A process that does not stop is killed after 30 s (and the run fails).
    const stuck = setTimeout(() => worker.kill("SIGKILL"), 30_000);
    await exited(worker);
    clearTimeout(stuck);
    const exitMs = Date.now() - termAt;
    proxy.resume();

    const first503 = answers.find((a) => a.status === 503);
    const result: StallResult = {
      stallMs: resumeAt - stallAt,
      health: { first503AfterMs: first503 ? first503.at + first503.ms : null, slowestAnswerMs: Math.max(...answers.map((a) => a.ms)), answers: answers.length, non503: answers.filter((a) => a.status !== 503).length },
      duringStall: { users: users.length, answered: answered(), lastAnsweredAfterResumeMs, apologies: users.reduce((n, u) => n + fake.textsTo(u).filter((t) => t === apology).length, 0) },
      outbox: { recipients, sentBeforeStall, sentAfter: await sent(), finishedAfterResumeMs, duplicates },
      sigterm: { exitMs, code: worker.exitCode },
      pass: false,
    };
    result.pass =
      result.health.first503AfterMs !== null &&
      result.health.first503AfterMs <= 2000 &&
      result.health.slowestAnswerMs <= 2000 &&
      result.duringStall.answered === users.length &&
      lastAnsweredAfterResumeMs !== null &&
      lastAnsweredAfterResumeMs <= 30_000 &&
      finishedAfterResumeMs !== null &&
      exitMs <= 10_000;
    return result;
  } finally {
    await h.close();
    await proxy.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      stall: { type: "string", default: "15" },
      recipients: { type: "string", default: "200" },
      users: { type: "string", default: "20" },
      database: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/test" },
    },
  });
  const r = await runPostgresStall({ database: values.database!, stallMs: Number(values.stall) * 1000, recipients: Number(values.recipients), users: Number(values.users), log: (line) => process.stderr.write(`  ${line}\n`) });
  console.log(
    `PostgreSQL silent ${(r.stallMs / 1000).toFixed(1)} s: /health first 503 after ${r.health.first503AfterMs} ms, slowest answer ${r.health.slowestAnswerMs} ms (${r.health.answers} probes, ${r.health.non503} not 503); ` +
      `${r.duringStall.answered}/${r.duringStall.users} messages sent during the stall answered, the last ${r.duringStall.lastAnsweredAfterResumeMs} ms after it (${r.duringStall.apologies} apologies); ` +
      `outbox ${r.outbox.sentBeforeStall} sent before, ${r.outbox.sentAfter}/${r.outbox.recipients} in the end, finished ${r.outbox.finishedAfterResumeMs} ms after the stall, ${r.outbox.duplicates} duplicates; ` +
      `SIGTERM during a stall: exit after ${r.sigterm.exitMs} ms (code ${r.sigterm.code})`,
  );
  console.log(JSON.stringify(r));
  if (!r.pass) process.exitCode = 1;
}
