/**
 * Replies under platform faults: USERS Telegram users send /start to the real `seller-bot
 * start` (a child process) while the fake Bot API answers 5 % of sendMessage calls 429
 * (retry_after 1 s) and 5 % 500. Counts users who got their real answer (the menu), the
 * apology, nothing, or more than one answer. Pass: every user gets the menu, nobody the
 * apology.
 *
 *   npx tsx bench/reply-faults.ts [--users 1000] [--p429 0.05] [--p500 0.05] [--database sqlite|postgres://…]
 */
import { parseArgs } from "node:util";
import { createHarness, until } from "./broadcast-harness.ts";

/** What a run measured. */
export interface ReplyFaultsResult {
  users: number;
  realAnswer: number;
  apology: number;
  nothing: number;
  duplicated: number;
  faults429: number;
  faults500: number;
  /** From the first /start until every user had an answer. */
  seconds: number;
  pass: boolean;
}

/** Runs the scenario. */
export async function runReplyFaults(options: { users: number; p429: number; p500: number; database: string }): Promise<ReplyFaultsResult> {
  const h = await createHarness({
    recipients: 0,
    database: options.database,
    fake: { latencyMs: { min: 20, max: 60 }, random: { p429: options.p429, retryAfter: 1, p500: options.p500, seed: 11 } },
    env: { JOBS_ENABLED: "false" },
  });
  const { fake } = h;
  const t = h.app.deps.i18n.t("en");
  const apology = t("common:error.apology");
  try {
    const worker = h.startWorker();
    await until(() => fake.calls.some((c) => c.method === "getUpdates"), 50, 60_000);
    const chats = Array.from({ length: options.users }, (_, i) => 5_000_000 + i);
    const started = Date.now();
    // 1,000 people over 5 seconds: Telegram itself would start refusing a much faster burst.
    for (const [i, chat] of chats.entries()) {
      const due = started + (5000 * i) / chats.length;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      fake.pushText("/start", { from: { id: chat, first_name: `F${i}`, language_code: "en" } });
    }
    await until(() => chats.every((c) => fake.textsTo(c).length > 0), 200, 300_000).catch(() => undefined);
    const seconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    worker.kill("SIGTERM");
    const texts = chats.map((c) => fake.textsTo(c));
    const real = (ts: string[]) => ts.some((x) => x.includes(t("common:menu.title")));
    const result: ReplyFaultsResult = {
      users: chats.length,
      realAnswer: texts.filter(real).length,
      apology: texts.filter((ts) => ts.includes(apology)).length,
      nothing: texts.filter((ts) => ts.length === 0).length,
      duplicated: texts.reduce((n, ts) => n + Math.max(0, ts.length - 1), 0),
      faults429: fake.calls.filter((c) => c.method === "sendMessage" && c.errorCode === 429).length,
      faults500: fake.calls.filter((c) => c.method === "sendMessage" && c.errorCode === 500).length,
      seconds: Math.round(seconds * 10) / 10,
      pass: false,
    };
    result.pass = result.realAnswer === chats.length && result.apology === 0;
    return result;
  } finally {
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      users: { type: "string", default: "1000" },
      p429: { type: "string", default: "0.05" },
      p500: { type: "string", default: "0.05" },
      database: { type: "string", default: "sqlite" },
    },
  });
  const r = await runReplyFaults({ users: Number(values.users), p429: Number(values.p429), p500: Number(values.p500), database: values.database! });
  console.log(
    `replies with ${Number(values.p429) * 100} % 429 and ${Number(values.p500) * 100} % 500 on sendMessage (${r.faults429} × 429, ${r.faults500} × 500): ` +
      `${r.realAnswer}/${r.users} got their real answer, ${r.apology} the apology, ${r.nothing} nothing, ${r.duplicated} extra answers; all answered in ${r.seconds} s`,
  );
  console.log(JSON.stringify(r));
  if (!r.pass) process.exitCode = 1;
}
