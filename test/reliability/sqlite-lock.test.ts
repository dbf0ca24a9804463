/**
 * SQLite with another process holding the write lock (an import, a second `start`): the
 * event loop keeps turning (better-sqlite3 waits inside the call, so a long busy_timeout
 * froze everything), a message that arrives meanwhile is answered once the lock is gone,
 * and one that cannot be stored before its deadline still gets the apology.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";
import { testProvider } from "../support/database.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Another process takes the write lock on `file` and holds it for `ms`; resolves once it holds it. */
async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `
    const Sqlite = require("better-sqlite3");
    const db = new Sqlite(process.argv[1]);
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); }, Number(process.argv[2]));`;
  const child = spawn(process.execPath, ["-e", script, file, String(ms)], { stdio: ["ignore", "pipe", "inherit"] });
  await once(child.stdout!, "data");
  return { released: once(child, "exit").then(() => undefined) };
}

/** Largest gap between timer ticks while `work` runs: how long the event loop was blocked. */
async function maxLoopGap<T>(work: Promise<T>): Promise<{ value: T; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 10);
  try {
    const value = await work;
    // A loop blocked the whole time never ran the probe: count the time since its last tick too.
    return { value, gapMs: Math.max(gapMs, performance.now() - last) };
  } finally {
    clearInterval(probe);
  }
}

describe.skipIf(testProvider !== "sqlite")("SQLite write lock held by another process", () => {
  it("keeps the event loop free and answers the message once the lock is released", async () => {
    t = await createTestApp({ timeouts: { statementMs: 300 }, env: { MESSAGE_DEADLINE_MS: "5000", INBOX_LEASE_MS: "10000" } });
    const file = t.database.url.slice("file:".length);
    // Blocking waits would stall the loop for the whole lock; under CI load a free loop still
    // shows gaps of some hundred ms, so the bound is half the lock, not a latency target.
    const lockMs = 2500;
    const lock = await holdWriteLock(file, lockMs);
    const started = Date.now();
    const { value: replies, gapMs } = await maxLoopGap(t.send("hello", { id: "lock-waiter" }));
    await lock.released;
    expect(Date.now() - started).toBeGreaterThanOrEqual(lockMs - 500);
    expect(replies[0]?.text).toMatch(/Assalam-o-Alaikum/);
    expect(gapMs).toBeLessThan(lockMs / 2);
  });

  it("gives the apology, not silence, when the message cannot be stored before its deadline", async () => {
    t = await createTestApp({ timeouts: { statementMs: 200 }, env: { MESSAGE_DEADLINE_MS: "800", INBOX_LEASE_MS: "5000" } });
    const file = t.database.url.slice("file:".length);
    const lock = await holdWriteLock(file, 4000);
    const started = Date.now();
    const replies = await t.send("hello", { id: "lock-loser" });
    const tookMs = Date.now() - started;
    await lock.released;
    expect(tookMs).toBeLessThan(3500);
    expect(replies.map((r) => r.text)).toEqual([t.app.deps.i18n.t("en")("common:error.apology")]);
  });
});
