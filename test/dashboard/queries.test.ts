/**
 * The dashboard's own queries on the real database of this run (the date arithmetic is
 * written once per provider, so each must give the same answers): new sellers per week,
 * median days to each stage (computed, stored, refreshed), delivery over time; and the limiter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { funnel } from "../../src/features/dashboard/overview.ts";
import { deliveryOverTime, newSellersPerWeek, weekStart } from "../../src/features/dashboard/queries.ts";
import { computeStageDays, createStageDaysJob, median, readStageDays, STAGE_DAYS_INTERVAL_MS } from "../../src/features/dashboard/stage-days.ts";
import type { Scope } from "../../src/features/progress/queries.ts";
import { createFailureLimiter } from "../../src/features/dashboard/rate-limit.ts";
import { loadStages } from "../../src/features/progress/stages.ts";
import { createDashboardTest, makeBroadcast, makePartner, makeSeller, tick, type DashboardTest } from "./helpers.ts";

let dt: DashboardTest;
const stages = loadStages("content");
// A Wednesday, 15:00 Pakistan time.
const NOW = new Date("2026-11-25T10:00:00Z");
const provider = () => dt.t.app.deps.database.provider;
const daysOf = async (scope: Scope) => (await computeStageDays(dt.db, provider(), scope.kind === "partner" ? scope.partnerId : undefined)).get(scope.kind === "partner" ? `partner:${scope.partnerId}` : "all")!;

beforeAll(async () => {
  dt = await createDashboardTest();
});
afterAll(async () => dt.close());

describe("weeks", () => {
  it("start on Monday 00:00 Pakistan time", () => {
    expect(weekStart(NOW, 0).toISOString()).toBe("2026-11-22T19:00:00.000Z"); // Mon 23 Nov 00:00 PKT
    expect(weekStart(new Date("2026-11-22T19:00:00Z"), 0).toISOString()).toBe("2026-11-22T19:00:00.000Z");
    expect(weekStart(new Date("2026-11-22T18:59:59Z"), 0).toISOString()).toBe("2026-11-15T19:00:00.000Z");
    expect(weekStart(NOW, 11).toISOString()).toBe("2026-09-06T19:00:00.000Z");
  });

  it("new sellers per week: a partner's by when they picked the partner, an admin's by first message", async () => {
    const p = await makePartner(dt, "Weekly Partner");
    const at = (iso: string) => new Date(iso);
    // This week (from Mon 23 Nov PKT): 2; last week: 1; the very start of this week counts in it; 13 weeks ago: not shown.
    for (const joined of ["2026-11-24T08:00:00Z", "2026-11-22T19:00:00Z", "2026-11-20T08:00:00Z", "2026-08-20T08:00:00Z"]) {
      await makeSeller(dt, `W ${joined}`, { partnerId: p.partnerId, joined: at(joined) });
    }
    const weeks = await newSellersPerWeek(dt.db, provider(), { kind: "partner", partnerId: p.partnerId }, NOW);
    expect(weeks).toHaveLength(12);
    expect(weeks.at(-1)).toEqual({ start: at("2026-11-22T19:00:00Z"), count: 2 });
    expect(weeks.at(-2)).toEqual({ start: at("2026-11-15T19:00:00Z"), count: 1 });
    expect(weeks.reduce((s, w) => s + w.count, 0)).toBe(3);
    const all = await newSellersPerWeek(dt.db, provider(), { kind: "admin" }, NOW);
    expect(all.at(-1)!.count).toBe(2);
  });
});

describe("days to each stage", () => {
  it("medians of days from joining, per stage, over the sellers who reached it", async () => {
    const p = await makePartner(dt, "Median Partner");
    const scope = { kind: "partner", partnerId: p.partnerId } as const;
    const joined = new Date("2026-10-01T06:00:00Z");
    const day = (d: number, hours = 0) => new Date(joined.getTime() + d * 86_400_000 + hours * 3600_000);
    // "account" after 1.1, 3 and 10 days (median 3); "documents" after 4.5 and 20 days (median 12.25).
    const s1 = await makeSeller(dt, "M1", { partnerId: p.partnerId, joined });
    const s2 = await makeSeller(dt, "M2", { partnerId: p.partnerId, joined });
    const s3 = await makeSeller(dt, "M3", { partnerId: p.partnerId, joined });
    await makeSeller(dt, "M4 never started", { partnerId: p.partnerId, joined });
    await tick(dt, s1, ["account"], day(1, 2.4));
    await tick(dt, s2, ["account"], day(3));
    await tick(dt, s3, ["account"], day(10));
    await tick(dt, s1, ["documents"], day(4, 12));
    await tick(dt, s3, ["documents"], day(20));
    const got = await daysOf(scope);
    const by = new Map(got.map((s) => [s.stageId, s]));
    expect(by.get("account")).toEqual({ stageId: "account", median: 3, sellers: 3 });
    expect(by.get("documents")).toEqual({ stageId: "documents", median: 12.25, sellers: 2 });
    expect(by.has("verified")).toBe(false);
  });

  it("a reach dated before joining counts as day 0; \"all\" takes every seller, with or without a partner", async () => {
    const p = await makePartner(dt, "Early Partner");
    const joined = new Date("2026-10-01T06:00:00Z");
    for (let i = 0; i < 9; i++) {
      const id = await makeSeller(dt, `S${i}`, { partnerId: i < 8 ? p.partnerId : undefined, joined });
      await tick(dt, id, ["verified"], new Date(joined.getTime() + (i - 1) * 86_400_000)); // S0: a day before joining
    }
    expect((await daysOf({ kind: "partner", partnerId: p.partnerId })).find((s) => s.stageId === "verified")).toEqual({ stageId: "verified", median: 2.5, sellers: 8 }); // 0, 0, 1, …, 6
    expect((await daysOf({ kind: "admin" })).find((s) => s.stageId === "verified")).toEqual({ stageId: "verified", median: 3, sellers: 9 }); // …, 7 (no partner)
  });

  it("median(): the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([2, 2, 9, 10])).toBe(5.5);
    expect(median([])).toBeNull();
  });

  it("a corrupt stages value counts for nothing and does not break the rest", async () => {
    const p = await makePartner(dt, "Corrupt Partner");
    const joined = new Date("2026-10-01T06:00:00Z");
    const good = await makeSeller(dt, "Good", { partnerId: p.partnerId, joined });
    await tick(dt, good, ["account"], new Date(joined.getTime() + 2 * 86_400_000));
    for (const stages of ["not json", '["account"]', '{"account":"yesterday"}']) {
      const bad = await makeSeller(dt, `Bad ${stages}`, { partnerId: p.partnerId, joined });
      await dt.db.sellerProgress.create({ data: { sellerId: bad, stages, reachedCount: 1, currentIndex: 0 } });
    }
    expect(await daysOf({ kind: "partner", partnerId: p.partnerId })).toEqual([{ stageId: "account", median: 2, sellers: 1 }]);
  });

  it("are stored by the job and read from there while fresh; stale or missing ones are computed on the spot", async () => {
    const p = await makePartner(dt, "Stored Partner");
    const scope = { kind: "partner", partnerId: p.partnerId } as const;
    const joined = new Date("2026-10-01T06:00:00Z");
    const s1 = await makeSeller(dt, "Stored 1", { partnerId: p.partnerId, joined });
    await tick(dt, s1, ["account"], new Date(joined.getTime() + 4 * 86_400_000));
    let now = new Date("2026-11-25T10:00:00Z");
    const job = createStageDaysJob({ ...dt.t.app.deps, now: () => now }, 3_600_000);
    job.start();
    await job.stop(); // the first round runs at start; stop waits for it
    const stored = await dt.db.dashboardStageDays.findMany({ where: { scope: `partner:${p.partnerId}` } });
    expect(stored.map((r) => [r.stageId, r.medianDays, r.sellers, r.computedAt.toISOString()])).toEqual([["account", 4, 1, now.toISOString()]]);
    expect(await dt.db.dashboardStageDays.count({ where: { scope: "all" } })).toBeGreaterThan(0);
    // A new tick is not seen while the stored row is fresh …
    const s2 = await makeSeller(dt, "Stored 2", { partnerId: p.partnerId, joined });
    await tick(dt, s2, ["account"], new Date(joined.getTime() + 10 * 86_400_000));
    now = new Date(now.getTime() + 2 * STAGE_DAYS_INTERVAL_MS);
    expect((await readStageDays(dt.db, provider(), scope, now)).stages).toEqual([{ stageId: "account", median: 4, sellers: 1 }]);
    // … and is, once the rows are older than two rounds (no job running): computed and stored.
    now = new Date(now.getTime() + 1000);
    const fresh = await readStageDays(dt.db, provider(), scope, now);
    expect(fresh).toEqual({ stages: [{ stageId: "account", median: 7, sellers: 2 }], computedAt: now });
    expect((await dt.db.dashboardStageDays.findFirstOrThrow({ where: { scope: `partner:${p.partnerId}` } })).medianDays).toBe(7);
    // A partner with no started seller has no rows: computed each time, cheaply, as empty.
    const empty = await makePartner(dt, "Empty Partner");
    expect((await readStageDays(dt.db, provider(), { kind: "partner", partnerId: empty.partnerId }, now)).stages).toEqual([]);
  });

  it("a full round drops scopes that are gone", async () => {
    await dt.db.dashboardStageDays.create({ data: { scope: "partner:999999", stageId: "account", medianDays: 1, sellers: 1, computedAt: new Date() } });
    const job = createStageDaysJob(dt.t.app.deps, 3_600_000);
    job.start();
    await job.stop();
    expect(await dt.db.dashboardStageDays.count({ where: { scope: "partner:999999" } })).toBe(0);
  });
});

describe("funnel", () => {
  it("reached = at this stage or further; conversion from the previous stage", () => {
    const rows = funnel(stages, [{ index: -1, count: 4 }, { index: 0, count: 3 }, { index: 2, count: 1 }]);
    expect(rows.slice(0, 4).map((r) => [r.stageId, r.at, r.reached, r.conversion])).toEqual([
      [null, 4, 8, null],
      ["account", 3, 4, 0.5],
      ["documents", 0, 1, 0.25],
      ["verified", 1, 1, 1],
    ]);
    expect(rows[4]).toMatchObject({ stageId: "storefront", reached: 0, conversion: 0 });
    expect(rows[5]).toMatchObject({ stageId: "first-product", reached: 0, conversion: null });
  });
});

describe("delivery over time", () => {
  it("counts sent and not delivered per bucket, the smallest bucket giving at most 24", async () => {
    const start = new Date("2026-11-20T05:00:00Z");
    // helpers: message i ends at start + i minutes.
    const id = await makeBroadcast(dt, null, ["sent", "sent", "failed", "sent", "blocked", "pending", "cancelled"], start);
    const { sizeS, buckets } = await deliveryOverTime(dt.db, provider(), id);
    expect(sizeS).toBe(60);
    expect(buckets.map((b) => [b.start.toISOString(), b.sent, b.notDelivered])).toEqual([
      ["2026-11-20T05:00:00.000Z", 1, 0],
      ["2026-11-20T05:01:00.000Z", 1, 0],
      ["2026-11-20T05:02:00.000Z", 0, 1],
      ["2026-11-20T05:03:00.000Z", 1, 0],
      ["2026-11-20T05:04:00.000Z", 0, 1],
    ]);
    const long = await makeBroadcast(dt, null, Array.from({ length: 100 }, () => "sent"), start); // 100 minutes
    expect((await deliveryOverTime(dt.db, provider(), long)).sizeS).toBe(300);
    const empty = await makeBroadcast(dt, null, ["pending"], start);
    expect((await deliveryOverTime(dt.db, provider(), empty)).buckets).toEqual([]);
  });
});

describe("failure limiter", () => {
  it("blocks after max failures in a window, forgets ended windows, and never holds more than maxKeys", () => {
    let now = new Date("2026-12-01T00:00:00Z");
    const limiter = createFailureLimiter({ max: 2, windowMs: 1000, now: () => now, maxKeys: 3 });
    limiter.fail("a");
    expect(limiter.blocked("a")).toBe(false);
    limiter.fail("a");
    expect(limiter.blocked("a")).toBe(true);
    expect(limiter.retryAfter("a")).toBe(1);
    now = new Date(now.getTime() + 1001);
    expect(limiter.blocked("a")).toBe(false);
    for (const k of ["b", "c", "d", "e"]) limiter.fail(k), limiter.fail(k);
    expect(limiter.blocked("b")).toBe(false); // the oldest address was dropped for room
    expect(limiter.blocked("e")).toBe(true);
  });
});
