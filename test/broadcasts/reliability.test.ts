/**
 * The reliability scenario, small: a fake Telegram Bot API with 429/500/403 answers, the
 * real `seller-bot start` as the worker process, SIGKILLed three times and restarted.
 * Nobody reachable is lost, every 403 is marked, duplicates ≤ sends in flight at the kills.
 * (The 10,000-recipient run is `npm run bench:broadcast`.)
 */
import { describe, expect, it } from "vitest";
import { runReliability } from "../../bench/broadcast-reliability.ts";
import { loadTestSettings } from "../../src/config.ts";
import { testProvider } from "../support/database.ts";

describe("outbox reliability under SIGKILL", () => {
  it("loses nobody and repeats only sends in flight at a kill", async () => {
    const database = testProvider === "postgres" ? loadTestSettings().TEST_POSTGRES_URL : "sqlite";
    const r = await runReliability({ recipients: 150, kills: 3, database, rate: 30, leaseMs: 2000 });
    expect(r.kills).toHaveLength(3);
    expect(r.lost).toBe(0);
    expect(r.failed).toBe(0);
    expect(r.duplicated).toBeLessThanOrEqual(r.inFlightAtKills);
    expect(r.blockedMarked).toBe(r.blockedAnswers);
    expect(r.blocked).toBe(r.blockedAnswers);
    expect(r.delivered + r.blocked).toBeGreaterThanOrEqual(150);
  }, 180_000);
});
