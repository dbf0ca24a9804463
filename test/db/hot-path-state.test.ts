/**
 * The flow state, the reply language and the partner finder's seller profile on the hot
 * path (decision 1103): set and cleared
 * for many users at once (grouped per turn on PostgreSQL, one by one on SQLite), a user's
 * later call in the same turn winning, the choices offered left alone and dates kept as
 * UTC; and two processes switching the languages of the same users in opposite orders at
 * once both succeed (the rows are locked in id order; this run did not reproduce a deadlock
 * without that, so the test guards the outcome rather than proving the order). First contact's
 * subscription too: created once, an opt-out left alone, the same user twice in one turn
 * told "new" once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

describe("hot path: flow state and language", () => {
  let db: TestDatabase;
  let other: Database;
  const ids: number[] = [];
  const key = (i: number) => ({ channel: "telegram", externalId: `s${i}` });
  const load = () => Promise.all(ids.map((_, i) => db.hot.findUser(key(i).channel, key(i).externalId)));

  beforeAll(async () => {
    db = await createTestDatabase();
    // A second connection (pool) on the same database stands for a second process.
    other = await openDatabase({ url: db.url, migrate: false });
    for (let i = 0; i < 30; i++) {
      const user = await db.prisma.user.create({ data: { language: "en" } });
      await db.prisma.channelIdentity.create({ data: { userId: user.id, ...key(i) } });
      ids.push(user.id);
    }
  });
  afterAll(async () => {
    await other?.close();
    await db?.cleanup();
  });

  it("sets flows for many users at once, the later call for a user winning, and keeps the choices offered", async () => {
    const at = new Date("2026-12-01T10:00:00Z");
    const expiresAt = new Date("2026-12-01T11:00:00Z");
    await db.hot.rememberChoices(ids[1]!, JSON.stringify([{ data: "keep", label: "K" }]), at);
    await Promise.all([
      ...ids.map((id) => db.hot.saveState(id, { flow: "partners.where", dataJson: JSON.stringify({ n: id }), expiresAt }, at)),
      db.hot.saveState(ids[0]!, { flow: "events.seats", dataJson: JSON.stringify({ later: true }), expiresAt }, at),
    ]);
    const rows = await load();
    expect(rows[0]).toMatchObject({ flow: "events.seats", data: JSON.stringify({ later: true }) });
    for (let i = 1; i < ids.length; i++) expect(rows[i]).toMatchObject({ flow: "partners.where", data: JSON.stringify({ n: ids[i] }) });
    expect(rows[5]!.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
    // The choices are another statement's: a flow step leaves them as they were.
    expect(JSON.parse(rows[1]!.choices!)).toEqual([{ data: "keep", label: "K" }]);
    expect(JSON.parse(rows[2]!.choices!)).toEqual([]);
    const stored = await db.prisma.conversationState.findUniqueOrThrow({ where: { userId: ids[3]! } });
    expect(stored.updatedAt.toISOString()).toBe(at.toISOString());
  });

  it("clears flows, and choices remembered afterwards leave the cleared flow cleared", async () => {
    const at = new Date("2026-12-01T10:05:00Z");
    await Promise.all(ids.slice(0, 10).map((id) => db.hot.saveState(id, { flow: null, dataJson: "{}", expiresAt: null }, at)));
    await db.hot.rememberChoices(ids[0]!, JSON.stringify([{ data: "x", label: "X" }]), at);
    const rows = await load();
    for (let i = 0; i < 10; i++) expect(rows[i]).toMatchObject({ flow: null, data: "{}", expiresAt: null });
    expect(rows[10]!.flow).toBe("partners.where");
    expect(JSON.parse(rows[0]!.choices!)).toEqual([{ data: "x", label: "X" }]);
  });

  it("switches many users' languages at once, the later call for a user winning", async () => {
    const at = new Date("2026-12-01T10:10:00Z");
    await Promise.all([...ids.map((id, i) => db.hot.setLanguage(id, i % 2 ? "ur" : "ur-Latn", false, at)), db.hot.setLanguage(ids[0]!, "en", true, at)]);
    const rows = await load();
    expect(rows[0]).toMatchObject({ language: "en", languageExplicit: true });
    for (let i = 1; i < ids.length; i++) expect(rows[i]).toMatchObject({ language: i % 2 ? "ur" : "ur-Latn", languageExplicit: false });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: ids[7]! } });
    expect(user.updatedAt.toISOString()).toBe(at.toISOString());
  });

  it("stores sellers' places for many at once and their categories apart, each leaving the other alone", async () => {
    const at = new Date("2026-12-01T10:20:00Z");
    expect(await db.hot.findSellerProfile(ids[0]!)).toBeUndefined();
    await db.hot.saveSellerCategories(ids[0]!, "textiles;leather", at);
    await Promise.all([
      ...ids.map((id, i) => db.hot.saveSellerPlace(id, { city: i % 2 ? `Town ${i}` : null, latitude: 30 + i / 100, longitude: 70.5 }, at)),
      db.hot.saveSellerPlace(ids[1]!, { city: "Sialkot", latitude: 32.49, longitude: 74.53 }, at),
    ]);
    const found = await Promise.all(ids.map((id) => db.hot.findSellerProfile(id)));
    expect(found[0]).toEqual({ city: null, latitude: 30, longitude: 70.5, categories: "textiles;leather" });
    expect(found[1]).toEqual({ city: "Sialkot", latitude: 32.49, longitude: 74.53, categories: "" });
    for (let i = 2; i < ids.length; i++) expect(found[i]).toEqual({ city: i % 2 ? `Town ${i}` : null, latitude: 30 + i / 100, longitude: 70.5, categories: "" });
    await db.hot.saveSellerCategories(ids[1]!, "surgical", at);
    expect(await db.hot.findSellerProfile(ids[1]!)).toEqual({ city: "Sialkot", latitude: 32.49, longitude: 74.53, categories: "surgical" });
    const stored = await db.prisma.sellerProfile.findUniqueOrThrow({ where: { userId: ids[2]! } });
    expect(stored.updatedAt.toISOString()).toBe(at.toISOString());
  });

  it("two processes switching the same users in opposite orders at once: no deadlock, every switch lands", async () => {
    for (let round = 0; round < 5; round++) {
      const at = new Date(Date.UTC(2026, 11, 1, 11, round));
      const forward = ids.map((id) => db.hot.setLanguage(id, "ur", false, at));
      const backward = [...ids].reverse().map((id) => other.hot.setLanguage(id, "ur", false, at));
      const results = await Promise.allSettled([...forward, ...backward]);
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    }
    expect((await load()).every((r) => r?.language === "ur")).toBe(true);
  });

  it("subscribes on first contact once, for many users at once, and leaves an opt-out alone", async () => {
    const at = new Date("2026-12-01T12:00:00Z");
    const [a, b, c, optedOut] = ids.slice(10, 14) as [number, number, number, number];
    await db.prisma.subscription.create({ data: { userId: optedOut, topic: "events", status: "opted-out", optedOutAt: at } });
    const first = await Promise.all([
      db.hot.subscribeIfNew(a, ["events"], "telegram-start", at),
      db.hot.subscribeIfNew(b, ["events"], "console", at),
      db.hot.subscribeIfNew(b, ["events"], "console", at),
      db.hot.subscribeIfNew(optedOut, ["events"], "telegram-start", at),
    ]);
    expect(first).toEqual([true, true, false, false]);
    expect(await db.hot.subscribeIfNew(a, ["events"], "telegram-start", at)).toBe(false);
    // Another process meeting the same users (a restart, or the load balancer's other side).
    expect(await Promise.all([other.hot.subscribeIfNew(a, ["events"], "telegram-start", at), other.hot.subscribeIfNew(c, ["events"], "telegram-start", at)])).toEqual([false, true]);
    const rows = await db.prisma.subscription.findMany({ where: { userId: { in: [a, b, c, optedOut] } }, orderBy: { userId: "asc" } });
    expect(rows.map((r) => [r.userId, r.topic, r.status, r.source])).toEqual([
      [a, "events", "subscribed", "telegram-start"],
      [b, "events", "subscribed", "console"],
      [c, "events", "subscribed", "telegram-start"],
      [optedOut, "events", "opted-out", ""],
    ]);
    expect(rows[0]!.createdAt.toISOString()).toBe(at.toISOString());
    expect(rows[0]!.updatedAt.toISOString()).toBe(at.toISOString());
  });
});
