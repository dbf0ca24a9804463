/**
 * Inbound messages across SIGKILL: USERS Telegram users send /start within ~1.5 s to the
 * real `seller-bot start` (a child process, polling a fake Bot API); the process is
 * SIGKILLed KILLS times at random moments and restarted each time. Prints lost (users never
 * answered), duplicated (answers beyond the one each /start gets) and the messages in flight
 * at the kills (inbox rows stored but not yet marked handled: the only ones a restart can
 * answer again). Pass: 0 lost, no apology, duplicates ≤ in flight.
 *
 *   npx tsx bench/inbound-reliability.ts [--users 300] [--kills 3] [--seed 1] [--database sqlite|postgres://…]
 */
import { parseArgs } from "node:util";
import { mulberry32 } from "../test/support/fake-bot-api.ts";
import { createHarness, exited, until } from "./broadcast-harness.ts";

/** What a run measured. */
export interface InboundCrashResult {
  users: number;
  /** sendMessage answers one /start gets when nothing goes wrong. */
  repliesPerStart: number;
  answered: number;
  lost: number;
  duplicated: number;
  apologies: number;
  kills: Array<{ afterMs: number; answeredBefore: number; inFlight: number; answeredNotMarked: number }>;
  inFlightAtKills: number;
  /** From the first /start until every user had an answer. */
  allAnsweredMs: number;
  /** SIGTERM at the end until the process exited. */
  stopMs: number;
  seconds: number;
  pass: boolean;
}

/** Runs the scenario. Small sizes make it a test; 300 users and 3 kills is the benchmark. */
export async function runInboundCrash(options: {
  users: number;
  kills: number;
  database: string;
  seed?: number;
  /** The /start messages arrive spread over this long (default 1500 ms; 0: all at once). */
  spreadMs?: number;
  log?: (line: string) => void;
}): Promise<InboundCrashResult> {
  const spreadMs = options.spreadMs ?? 1500;
  const log = options.log ?? (() => undefined);
  // Seeded: the same kill moments run to run.
  const random = mulberry32(options.seed ?? 1);
  const h = await createHarness({
    recipients: 0,
    database: options.database,
    fake: { latencyMs: { min: 20, max: 60 } },
    // Jobs off: only the inbox is measured (its replay runs regardless).
    env: { JOBS_ENABLED: "false", LOG_LEVEL: "error" },
  });
  const started = Date.now();
  const { fake } = h;
  const polls = () => fake.calls.filter((c) => c.method === "getUpdates").length;
  const replies = (chat: number) => fake.callsTo("sendMessage", chat).length;
  const apology = h.app.deps.i18n.t("en")("common:error.apology");
  try {
    let worker = h.startWorker();
    await until(() => polls() > 0, 50, 60_000);
    // One user first, undisturbed: how many messages answer a /start.
    const warm = 3_000_000;
    fake.pushText("/start", { from: { id: warm, first_name: "Warm" } });
    await until(() => replies(warm) > 0, 20, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const repliesPerStart = replies(warm);

    const chats = Array.from({ length: options.users }, (_, i) => 2_000_000 + i);
    const burstStart = Date.now();
    const pushing = (async () => {
      for (const [i, chat] of chats.entries()) {
        const due = burstStart + (spreadMs * i) / chats.length;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        fake.pushText("/start", { from: { id: chat, first_name: `User${i}`, language_code: "en" } });
      }
    })();
    const answered = () => chats.filter((c) => replies(c) > 0).length;
    const kills: InboundCrashResult["kills"] = [];
    for (let k = 1; k <= options.kills; k++) {
      const pollsBefore = polls();
      await until(() => polls() > pollsBefore || k === 1, 20, 60_000);
      // The first kill lands inside the burst (the probe that found the loss killed at 0.7 s);
      // the others at random moments after each restart.
      const afterMs = Math.round(k === 1 ? 300 + random() * 1000 : 300 + random() * 2700);
      await new Promise((r) => setTimeout(r, afterMs));
      const answeredBefore = answered();
      worker.kill("SIGKILL");
      await exited(worker);
      // Requests the dead process left open are still answered by the API (and delivered).
      const open = () => fake.calls.some((c) => c.method === "sendMessage" && !c.ok && c.errorCode === undefined);
      await until(() => !open(), 20, 10_000);
      const unhandled = await h.app.deps.db.inboundMessage.findMany({ where: { channel: "telegram", handledAt: null }, select: { externalMessageId: true, payload: true } });
      const chatOf = (payload: string | null) => Number((JSON.parse(payload ?? "{}") as { chat?: { id?: string } }).chat?.id);
      const answeredNotMarked = unhandled.filter((r) => replies(chatOf(r.payload)) > 0).length;
      kills.push({ afterMs, answeredBefore, inFlight: unhandled.length, answeredNotMarked });
      log(`kill ${k} after ${afterMs} ms: ${answeredBefore}/${chats.length} answered, ${unhandled.length} stored but not handled (${answeredNotMarked} of them already answered)`);
      worker = h.startWorker();
    }
    await pushing;
    await until(() => answered() === chats.length, 100, 120_000).catch(() => undefined);
    const allAnsweredMs = Date.now() - burstStart;
    // Let late duplicates show up before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const stopAt = Date.now();
    worker.kill("SIGTERM");
    await exited(worker);
    const stopMs = Date.now() - stopAt;

    const counts = chats.map(replies);
    const lost = counts.filter((n) => n === 0).length;
    const duplicated = counts.reduce((s, n) => s + Math.max(0, n - repliesPerStart), 0);
    const apologies = chats.reduce((s, c) => s + fake.textsTo(c).filter((t) => t === apology).length, 0);
    const inFlightAtKills = kills.reduce((s, k) => s + k.inFlight, 0);
    const result: InboundCrashResult = {
      users: chats.length,
      repliesPerStart,
      answered: chats.length - lost,
      lost,
      duplicated,
      apologies,
      kills,
      inFlightAtKills,
      allAnsweredMs,
      stopMs,
      seconds: Math.round((Date.now() - started) / 1000),
      pass: false,
    };
    result.pass = lost === 0 && apologies === 0 && duplicated <= inFlightAtKills;
    return result;
  } finally {
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      users: { type: "string", default: "300" },
      kills: { type: "string", default: "3" },
      seed: { type: "string", default: "1" },
      database: { type: "string", default: "sqlite" },
    },
  });
  const r = await runInboundCrash({ users: Number(values.users), kills: Number(values.kills), seed: Number(values.seed), database: values.database!, log: (line) => process.stderr.write(`  ${line}\n`) });
  console.log(
    `inbound under SIGKILL (${values.database === "sqlite" ? "SQLite" : "PostgreSQL"}, ${r.users} users, ${r.kills.length} kills): ` +
      `answered ${r.answered}, lost ${r.lost}, duplicated ${r.duplicated} (≤ ${r.inFlightAtKills} in flight at the kills), apologies ${r.apologies}, ` +
      `all answered ${(r.allAnsweredMs / 1000).toFixed(1)} s after the first /start, SIGTERM → exit ${r.stopMs} ms, ${r.seconds} s in all`,
  );
  console.log(JSON.stringify(r));
  if (!r.pass) process.exitCode = 1;
}
