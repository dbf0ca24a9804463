import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStages } from "../../src/features/progress/stages.ts";
import { applyChange, fold, readProgress } from "../../src/features/progress/store.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let database: TestDatabase;
const stages = loadStages("content");
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.cleanup());

describe("store", () => {
  it("keeps the current state equal to the folded history under concurrent changes", async () => {
    const seller = await database.prisma.user.create({ data: { displayName: "Race" } });
    const deps = { db: database.prisma, now: () => new Date() };
    const ids = stages.list.map((s) => s.id);
    const results = await Promise.all(
      ids.map((id, i) => applyChange(deps, stages, { sellerId: seller.id, source: i % 2 ? "partner" : "seller", actorId: null, change: { kind: "tick", stageIds: [id] } })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const events = await database.prisma.progressEvent.findMany({ where: { sellerId: seller.id }, orderBy: { id: "asc" } });
    expect(events).toHaveLength(ids.length);
    const state = await readProgress(database.prisma, seller.id);
    expect([...state.reached.keys()].sort()).toEqual([...fold(events).keys()].sort());
    expect(state.currentIndex).toBe(ids.length - 1);
    const row = await database.prisma.sellerProgress.findUniqueOrThrow({ where: { sellerId: seller.id } });
    expect(row.reachedCount).toBe(ids.length);
  });

  it("reads back corrupted JSON as an empty checklist instead of failing", async () => {
    const seller = await database.prisma.user.create({ data: {} });
    await database.prisma.sellerProgress.create({ data: { sellerId: seller.id, stages: '{"account": "not a date"' } });
    const state = await readProgress(database.prisma, seller.id);
    expect(state.reached.size).toBe(0);
  });

  it("writes nothing for unknown stages or an empty tick", async () => {
    const seller = await database.prisma.user.create({ data: {} });
    const deps = { db: database.prisma, now: () => new Date() };
    expect(await applyChange(deps, stages, { sellerId: seller.id, source: "admin", actorId: null, change: { kind: "tick", stageIds: ["account", "bogus"] } })).toEqual({ ok: false, reason: "unknown-stage" });
    expect(await applyChange(deps, stages, { sellerId: seller.id, source: "admin", actorId: null, change: { kind: "tick", stageIds: [] } })).toEqual({ ok: false, reason: "unknown-stage" });
    expect(await applyChange(deps, stages, { sellerId: seller.id, source: "admin", actorId: null, change: { kind: "undo", stageId: "account" } })).toEqual({ ok: false, reason: "not-reached" });
    expect(await database.prisma.progressEvent.count({ where: { sellerId: seller.id } })).toBe(0);
    expect(await database.prisma.sellerProgress.count({ where: { sellerId: seller.id } })).toBe(0);
  });
});
