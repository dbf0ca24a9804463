/**
 * The contract API: audiences, permission refusals, quota, unique rows, direct messages
 * and status, on the real test database (SQLite or PostgreSQL).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../src/core/errors.ts";
import { broadcastStatus, createBroadcast, enqueueDirect, previewBroadcast, type Audience } from "../../src/features/broadcasts/api.ts";
import { controlBroadcast } from "../../src/features/broadcasts/service.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { content, makePartner, makeUser } from "./helpers.ts";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ channel: "telegram", env: { PARTNER_DAILY_QUOTA: "5" } });
});
afterEach(async () => t.close());

const input = (senderUserId: number | null, audience: Audience) => ({ senderUserId, audience, topic: "events" as const, content: content() });

async function refusal(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserFacingError);
  return (error as UserFacingError).key;
}

describe("audiences", () => {
  it("all subscribers, skipping opted-out, unconsented and blocked users", async () => {
    const db = t.app.deps.db;
    await makeUser(db, {});
    await makeUser(db, { channel: "whatsapp", externalId: "92@s.whatsapp.net" });
    await makeUser(db, { subscription: "opted-out" });
    await makeUser(db, { channel: "whatsapp", subscription: "asked" });
    await makeUser(db, { subscription: null });
    await makeUser(db, { blocked: true });
    expect(await previewBroadcast(t.app.deps, input(null, { kind: "all" }))).toEqual({ recipients: 2 });
  });

  it("a city, tolerant of case, spacing, a typo and Urdu script", async () => {
    const db = t.app.deps.db;
    for (const city of ["Sialkot", "SIALKOT ", "Sialkott", "سیالکوٹ", "Lahore", "Sahiwal"]) await makeUser(db, { city });
    expect((await previewBroadcast(t.app.deps, input(null, { kind: "city", city: "sialkot" }))).recipients).toBe(4);
    for (const city of ["Faisalabad", "Lyallpur"]) await makeUser(db, { city });
    expect((await previewBroadcast(t.app.deps, input(null, { kind: "city", city: "faisalabad" }))).recipients).toBe(2);
  });

  it("a radius around a venue and a product category", async () => {
    const db = t.app.deps.db;
    await makeUser(db, { latitude: 32.5, longitude: 74.52, categories: "surgical instruments;sports goods" }); // Sialkot
    await makeUser(db, { latitude: 32.16, longitude: 74.19, categories: "Sports Goods" }); // Gujranwala, ~47 km
    await makeUser(db, { latitude: 24.86, longitude: 67.0, categories: "textiles" }); // Karachi
    const near = { kind: "radius", latitude: 32.49, longitude: 74.53, km: 60 } as const;
    expect((await previewBroadcast(t.app.deps, input(null, near))).recipients).toBe(2);
    expect((await previewBroadcast(t.app.deps, input(null, { ...near, km: 10 }))).recipients).toBe(1);
    expect((await previewBroadcast(t.app.deps, input(null, { kind: "category", category: "sports goods" }))).recipients).toBe(2);
  });

  it("a partner's own sellers and linked groups; a partner's other audiences are narrowed to their own sellers", async () => {
    const db = t.app.deps.db;
    const p1 = await makePartner(db);
    const p2 = await makePartner(db);
    const member = await makeUser(db, { memberOf: p1.id });
    await makeUser(db, { assignedTo: p1.id, city: "Sialkot" });
    await makeUser(db, { assignedTo: p1.id, city: "Lahore" });
    await makeUser(db, { assignedTo: p2.id, city: "Sialkot" });
    await db.linkedGroup.create({ data: { channel: "telegram", chatId: "-1001", partnerId: p1.id } });
    await db.linkedGroup.create({ data: { channel: "telegram", chatId: "-1002", partnerId: p2.id } });
    expect((await previewBroadcast(t.app.deps, input(member.id, { kind: "partner", partnerId: p1.id }))).recipients).toBe(3);
    expect((await previewBroadcast(t.app.deps, input(member.id, { kind: "all" }))).recipients).toBe(3);
    expect((await previewBroadcast(t.app.deps, input(member.id, { kind: "city", city: "Sialkot" }))).recipients).toBe(1);
    // Admin "all" reaches every subscriber and every linked group.
    expect((await previewBroadcast(t.app.deps, input(null, { kind: "all" }))).recipients).toBe(6);
  });
});

describe("refusals write nothing", () => {
  it("a seller who is not a partner", async () => {
    const seller = await makeUser(t.app.deps.db, {});
    expect(await refusal(createBroadcast(t.app.deps, input(seller.id, { kind: "all" })))).toBe("broadcasts:errors.notAllowed");
    expect(await t.app.deps.db.broadcast.count()).toBe(0);
  });

  it("a partner aiming at another partner's audience", async () => {
    const db = t.app.deps.db;
    const p1 = await makePartner(db);
    const p2 = await makePartner(db);
    const member = await makeUser(db, { memberOf: p1.id });
    await makeUser(db, { assignedTo: p2.id });
    expect(await refusal(createBroadcast(t.app.deps, input(member.id, { kind: "partner", partnerId: p2.id })))).toBe("broadcasts:errors.otherPartner");
    expect(await db.outboxMessage.count()).toBe(0);
  });

  it("an empty audience in chat; from the CLI it is recorded with 0 recipients", async () => {
    const admin = await makeUser(t.app.deps.db, { role: "admin" });
    const before = await t.app.deps.db.broadcast.count();
    expect(await refusal(createBroadcast(t.app.deps, input(admin.id, { kind: "city", city: "Quetta" })))).toBe("broadcasts:errors.emptyAudience");
    expect(await t.app.deps.db.broadcast.count()).toBe(before);
    const fromCli = await createBroadcast(t.app.deps, input(null, { kind: "city", city: "Quetta" }));
    expect(fromCli.recipients).toBe(0);
    expect(await t.app.deps.db.outboxMessage.count({ where: { broadcastId: fromCli.broadcastId } })).toBe(0);
  });

  it("over the partner's daily quota (admins have none)", async () => {
    const db = t.app.deps.db;
    const p1 = await makePartner(db);
    const member = await makeUser(db, { memberOf: p1.id });
    for (let i = 0; i < 3; i++) await makeUser(db, { assignedTo: p1.id });
    await createBroadcast(t.app.deps, input(member.id, { kind: "partner", partnerId: p1.id })); // 3 of 5
    const key = await refusal(createBroadcast(t.app.deps, input(member.id, { kind: "partner", partnerId: p1.id })));
    expect(key).toBe("broadcasts:errors.quota");
    expect(await db.broadcast.count()).toBe(1);
    expect(await db.outboxMessage.count()).toBe(3);
    await createBroadcast(t.app.deps, input(null, { kind: "partner", partnerId: p1.id }));
    expect(await db.outboxMessage.count()).toBe(6);
  });

  it("invalid content (choice data over 64 bytes)", async () => {
    await makeUser(t.app.deps.db, {});
    const bad = { ...input(null, { kind: "all" }), content: { ...content(), choices: [{ data: "x".repeat(65), label: content().text }] } };
    expect(await refusal(createBroadcast(t.app.deps, bad))).toBe("broadcasts:errors.invalid");
  });
});

describe("rows", () => {
  it("one row per recipient: the unique (broadcast, recipient) refuses a second", async () => {
    const db = t.app.deps.db;
    await makeUser(db, {});
    const { broadcastId, recipients } = await createBroadcast(t.app.deps, input(null, { kind: "all" }));
    expect(recipients).toBe(1);
    const row = await db.outboxMessage.findFirstOrThrow({ where: { broadcastId } });
    const dup = await db.outboxMessage
      .create({ data: { broadcastId, recipient: row.recipient, channel: row.channel, chatId: row.chatId } })
      .then(() => "inserted", (e: { code?: string }) => e.code);
    expect(dup).toBe("P2002");
  });

  it("enqueueDirect twice with the same key queues once; opted-out users are skipped unless told", async () => {
    const db = t.app.deps.db;
    const u = await makeUser(db, {});
    const out = await makeUser(db, { subscription: "opted-out" });
    const item = { userId: u.id, kind: "reminder" as const, dedupeKey: `rem:1:${u.id}:24h`, content: content() };
    expect(await enqueueDirect(t.app.deps, [item])).toBe(1);
    expect(await enqueueDirect(t.app.deps, [item])).toBe(0);
    expect(await enqueueDirect(t.app.deps, [{ ...item, userId: out.id, dedupeKey: "k2" }])).toBe(0);
    expect(await enqueueDirect(t.app.deps, [{ ...item, userId: out.id, dedupeKey: "k3", kind: "notice", respectOptOut: false }])).toBe(1);
    expect(await db.outboxMessage.count()).toBe(2);
  });

  it("status counts, and cancel turns pending rows into cancelled", async () => {
    const db = t.app.deps.db;
    for (let i = 0; i < 3; i++) await makeUser(db, {});
    const { broadcastId } = await createBroadcast(t.app.deps, input(null, { kind: "all" }));
    expect(await broadcastStatus(db, broadcastId)).toEqual({ queued: 3, sent: 0, failed: 0, blocked: 0, optedOut: 0, cancelled: 0, state: "queued", delivered: 0, read: 0, skipped: 0, limited: 0 });
    await controlBroadcast(db, broadcastId, "cancel");
    expect(await broadcastStatus(db, broadcastId)).toEqual({ queued: 0, sent: 0, failed: 0, blocked: 0, optedOut: 0, cancelled: 3, state: "cancelled", delivered: 0, read: 0, skipped: 0, limited: 0 });
    expect(await refusal(broadcastStatus(db, 999_999))).toBe("broadcasts:errors.notFound");
  });
});
