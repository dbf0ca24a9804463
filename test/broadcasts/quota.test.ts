/**
 * A partner's daily quota holds when two of its staff confirm at the same moment: the
 * check and the insert are one atomic step, on PostgreSQL (two pooled connections in
 * this process) and on SQLite (two processes, the way `start` and a second bot share a file).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../src/core/errors.ts";
import { createBroadcast } from "../../src/features/broadcasts/api.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { testProvider } from "../support/database.ts";
import { content, makePartner, makeUser } from "./helpers.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A partner with two approved staff accounts and `sellers` assigned sellers. */
async function partnerWithTwoStaff(app: TestApp, sellers: number) {
  const db = app.app.deps.db;
  const partner = await makePartner(db);
  const staff = [await makeUser(db, { memberOf: partner.id }), await makeUser(db, { memberOf: partner.id })];
  for (let i = 0; i < sellers; i++) await makeUser(db, { assignedTo: partner.id });
  return { partner, staff };
}

async function queuedFor(app: TestApp, partnerId: number): Promise<number> {
  const sum = await app.app.deps.db.broadcast.aggregate({ where: { partnerId }, _sum: { recipients: true } });
  return sum._sum.recipients ?? 0;
}

describe("the partner's daily quota under concurrency", () => {
  it.runIf(testProvider === "postgres")("lets exactly one of two simultaneous broadcasts through when both would pass alone (PostgreSQL)", async () => {
    t = await createTestApp({ channel: "telegram", env: { PARTNER_DAILY_QUOTA: "3" } });
    // Several rounds, each its own partner: every round is a fresh race.
    for (let round = 0; round < 5; round++) {
      const { partner, staff } = await partnerWithTwoStaff(t, 2);
      const outcomes = await Promise.allSettled(
        staff.map((s) => createBroadcast(t!.app.deps, { senderUserId: s.id, audience: { kind: "partner", partnerId: partner.id }, topic: "events", content: content() })),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(UserFacingError);
      expect((refused.reason as UserFacingError).key).toBe("broadcasts:errors.quota");
      expect(await queuedFor(t, partner.id)).toBe(2);
      expect(await t.app.deps.db.outboxMessage.count({ where: { broadcast: { partnerId: partner.id } } })).toBe(2);
    }
  });

  it.runIf(testProvider === "sqlite")("lets exactly one of two broadcasts from two processes through (SQLite)", async () => {
    t = await createTestApp({ channel: "telegram", env: { PARTNER_DAILY_QUOTA: "3" } });
    // Both processes go through the same partners in the same order, so they meet on each.
    const rounds: Array<Awaited<ReturnType<typeof partnerWithTwoStaff>>> = [];
    for (let round = 0; round < 8; round++) rounds.push(await partnerWithTwoStaff(t, 2));
    const children = [0, 1].map((k) => startChild(t!.database.url, rounds.map((r) => `${r.staff[k]!.id}:${r.partner.id}`)));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const outcomes = (await Promise.all(children.map((c) => c.outcome))).flat();
    for (const { partner } of rounds) {
      const mine = outcomes.filter((o) => o.partnerId === partner.id);
      expect(mine.filter((o) => o.ok)).toHaveLength(1);
      expect(mine.find((o) => !o.ok)).toEqual({ partnerId: partner.id, ok: false, key: "broadcasts:errors.quota" });
      expect(await queuedFor(t, partner.id)).toBe(2);
    }
  }, 60_000);
});

/** A child process running test/broadcasts/quota-race-child.ts on the same database file. */
function startChild(url: string, pairs: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/broadcasts/quota-race-child.ts", ...pairs], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "silent", PARTNER_DAILY_QUOTA: "3" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
  const ready = next();
  const outcome = ready.then(() => next()).then((line) => JSON.parse(line) as Array<{ partnerId: number; ok: boolean; key?: string; error?: string }>);
  return { ready, outcome, go: () => child.stdin!.write("go\n") };
}
