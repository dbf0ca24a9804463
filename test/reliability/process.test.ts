/**
 * The real `seller-bot start` as a child process against the fake Bot API (small versions
 * of npm run bench:reliability): SIGKILLed three times during a burst of /start it answers
 * everyone and repeats at most what was in flight; with PostgreSQL silent behind a proxy
 * `/health` says 503 at once, everything written meanwhile is answered after, the outbox
 * finishes, and SIGTERM in a stall still ends the process in time.
 */
import { describe, expect, it } from "vitest";
import { createHarness, exited } from "../../bench/broadcast-harness.ts";
import { runInboundCrash } from "../../bench/inbound-reliability.ts";
import { runPostgresStall } from "../../bench/postgres-stall.ts";
import { loadTestSettings } from "../../src/config.ts";
import { testProvider } from "../support/database.ts";

const postgres = loadTestSettings().TEST_POSTGRES_URL;

describe("seller-bot start that cannot start", () => {
  it("exits 78 by itself when Telegram rejects the token (nothing keeps it running)", async () => {
    const h = await createHarness({ recipients: 0, database: testProvider === "postgres" ? postgres : "sqlite", fake: {}, env: { LOG_LEVEL: "fatal" } });
    try {
      h.fake.failNext({ method: "getMe", failure: { error_code: 401, description: "Unauthorized" } });
      const started = Date.now();
      const worker = h.startWorker();
      const stuck = setTimeout(() => worker.kill("SIGKILL"), 30_000);
      await exited(worker);
      clearTimeout(stuck);
      expect(worker.exitCode).toBe(78);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe("seller-bot start under SIGKILL", () => {
  it("answers every user of a burst across three kills; repeats at most the messages in flight", async () => {
    const r = await runInboundCrash({ users: 100, kills: 3, seed: 2, spreadMs: 0, database: testProvider === "postgres" ? postgres : "sqlite" });
    expect(r.kills).toHaveLength(3);
    expect(r.lost).toBe(0);
    expect(r.apologies).toBe(0);
    expect(r.duplicated).toBeLessThanOrEqual(r.inFlightAtKills);
  }, 180_000);
});

describe.skipIf(testProvider !== "postgres")("seller-bot start with PostgreSQL silent", () => {
  it("503 within 2 s, answers what was written during the stall, finishes the outbox, exits on SIGTERM in time", async () => {
    const r = await runPostgresStall({
      database: postgres,
      stallMs: 4000,
      recipients: 30,
      users: 5,
      env: { DATABASE_STATEMENT_TIMEOUT_MS: "1000", DATABASE_CONNECT_TIMEOUT_MS: "1000", SHUTDOWN_TIMEOUT_MS: "5000", TELEGRAM_RATE_PER_SECOND: "10" },
    });
    expect(r.health.first503AfterMs).not.toBeNull();
    expect(r.health.first503AfterMs!).toBeLessThanOrEqual(2000);
    expect(r.health.slowestAnswerMs).toBeLessThanOrEqual(2000);
    expect(r.duringStall.answered).toBe(5);
    expect(r.duringStall.apologies).toBe(0);
    expect(r.duringStall.lastAnsweredAfterResumeMs!).toBeLessThanOrEqual(30_000);
    expect(r.outbox.finishedAfterResumeMs).not.toBeNull();
    expect(r.sigterm.exitMs).toBeLessThanOrEqual(5000);
  }, 180_000);
});
