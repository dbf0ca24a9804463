/**
 * The core's per-message statements grouped per turn of the event loop (PostgreSQL; SQLite
 * runs them one by one): many lookups at once each get their own user, unknown ones get
 * nothing, and two choices stored for one user at once leave the later one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation } from "../../src/core/users.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

describe("hot path in groups", () => {
  let db: TestDatabase;
  const ids: number[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 40; i++) {
      const user = await db.prisma.user.create({ data: { language: i % 2 ? "ur" : "en", displayName: `u${i}` } });
      await db.prisma.channelIdentity.create({ data: { userId: user.id, channel: i % 3 ? "telegram" : "whatsapp", externalId: `x${i}` } });
      ids.push(user.id);
    }
  });
  afterAll(async () => db?.cleanup());

  it("concurrent lookups each get their own user, and none for an unknown id", async () => {
    const asks = Array.from({ length: 40 }, (_, i) => ({ channel: i % 3 ? "telegram" : "whatsapp", externalId: `x${i}` }));
    const rows = await Promise.all([...asks.map((a) => db.hot.findUser(a.channel, a.externalId)), db.hot.findUser("telegram", "x0"), db.hot.findUser("telegram", "nobody")]);
    asks.forEach((_, i) => {
      expect(rows[i]?.id).toBe(ids[i]);
      expect(rows[i]?.displayName).toBe(`u${i}`);
      expect(rows[i]?.language).toBe(i % 2 ? "ur" : "en");
    });
    // x0 is a WhatsApp identity: the channel is part of the key.
    expect(rows[40]).toBeUndefined();
    expect(rows[41]).toBeUndefined();
  });

  it("choices stored at once for many users land, a user's later call winning", async () => {
    const at = new Date("2026-12-01T10:00:00Z");
    await Promise.all([
      ...ids.map((id) => db.hot.rememberChoices(id, JSON.stringify([{ data: `c${id}`, label: "A" }]), at)),
      db.hot.rememberChoices(ids[0]!, JSON.stringify([{ data: "later", label: "B" }]), at),
    ]);
    const rows = await Promise.all(Array.from({ length: 40 }, (_, i) => db.hot.findUser(i % 3 ? "telegram" : "whatsapp", `x${i}`)));
    expect(JSON.parse(rows[0]!.choices!)).toEqual([{ data: "later", label: "B" }]);
    for (let i = 1; i < 40; i++) expect(JSON.parse(rows[i]!.choices!)).toEqual([{ data: `c${ids[i]}`, label: "A" }]);
    const state = await db.prisma.conversationState.findUnique({ where: { userId: ids[1]! } });
    expect(state?.updatedAt.toISOString()).toBe(at.toISOString());
  });

  it("creates a user with their identity in one step; a duplicate identity leaves no user behind", async () => {
    const users = await db.prisma.user.count();
    const at = new Date("2026-12-01T09:30:00Z");
    const first = { channel: "telegram", externalId: "new-1", role: "seller", language: "ur", displayName: "Asad", at };
    await db.hot.createUser(first);
    const row = await db.hot.findUser("telegram", "new-1");
    expect(row).toMatchObject({ role: "seller", language: "ur", languageExplicit: false, displayName: "Asad" });
    const stored = await db.prisma.user.findUniqueOrThrow({ where: { id: row!.id } });
    expect(stored.createdAt.toISOString()).toBe(at.toISOString());
    expect(stored.updatedAt.toISOString()).toBe(at.toISOString());
    // Two processes creating the same new user at once: one wins, the other gets a unique violation.
    const results = await Promise.allSettled([db.hot.createUser({ ...first, externalId: "new-2" }), db.hot.createUser({ ...first, externalId: "new-2", displayName: "Other" })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(isUniqueViolation(failed.reason)).toBe(true);
    expect(await db.prisma.user.count()).toBe(users + 2);
    expect(await db.prisma.channelIdentity.count({ where: { externalId: "new-2" } })).toBe(1);
  });
});
