/**
 * `samples remove` on both databases: every sample row and what exists only because of it
 * goes; real rows stay (those pointing at a sample partner lose only the pointer).
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { removeSamples } from "../../src/cli/samples.ts";
import { loadConfig } from "../../src/config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());

const event = (title: string, extra: Record<string, unknown> = {}) => ({
  titleEn: title,
  venueName: "Hall",
  venueAddress: "Road",
  startsAt: new Date(Date.now() + 7 * 86_400_000),
  endsAt: new Date(Date.now() + 7 * 86_400_000 + 3_600_000),
  capacity: 10,
  status: "published",
  ...extra,
});

describe("samples remove", () => {
  it("removes the sample partners and events with what hangs on them, and nothing else", async () => {
    const config = loadConfig({ DATABASE_URL: t.url.startsWith("file:") ? t.url : "postgres://test", LOG_LEVEL: "silent" });
    const app = await createApp(config, { database: t, samples: true, log: pino({ level: "silent" }) });
    expect(app.seeded).toBe(true);
    const db = t.prisma;
    const samplePartner = await db.partner.findFirstOrThrow({ where: { isSample: true } });
    const sampleEvent = await db.event.findFirstOrThrow({ where: { isSample: true } });
    const sampleCounts = { partners: await db.partner.count({ where: { isSample: true } }), events: await db.event.count({ where: { isSample: true } }) };

    const real = await db.partner.create({ data: { name: "Real Desk", code: "REAL1", city: "Lahore", latitude: 31.55, longitude: 74.35, active: true, approved: true } });
    const seller = await db.user.create({ data: { identities: { create: { channel: "telegram", externalId: "9001" } } } });
    const member = await db.user.create({ data: { role: "partner", identities: { create: { channel: "telegram", externalId: "9002" } } } });
    const admin = await db.user.create({ data: { role: "admin", identities: { create: { channel: "telegram", externalId: "9003" } } } });
    await db.sellerAssignment.create({ data: { sellerId: seller.id, partnerId: samplePartner.id } });
    await db.partnerMember.create({ data: { userId: member.id, partnerId: samplePartner.id, status: "approved", requestedAt: new Date() } });
    await db.partnerMember.create({ data: { userId: admin.id, partnerId: samplePartner.id, status: "approved", requestedAt: new Date() } });
    await db.rsvp.create({ data: { eventId: sampleEvent.id, userId: seller.id, status: "going" } });
    const realEvent = await db.event.create({ data: event("Real summit", { partnerId: samplePartner.id }) });
    const realRsvp = await db.rsvp.create({ data: { eventId: realEvent.id, userId: seller.id, status: "going" } });
    const announcement = await db.broadcast.create({ data: { eventId: sampleEvent.id, audience: "{}", content: "{}", topic: "events" } });
    const realBroadcast = await db.broadcast.create({ data: { audience: "{}", content: "{}", topic: "events" } });

    const removed = await removeSamples(db);
    expect(removed).toEqual({ ...sampleCounts, broadcasts: 1 });
    expect(await db.partner.count({ where: { isSample: true } })).toBe(0);
    expect(await db.event.count({ where: { isSample: true } })).toBe(0);
    expect(await db.partner.findUnique({ where: { id: real.id } })).not.toBeNull();
    expect(await db.event.findUniqueOrThrow({ where: { id: realEvent.id } })).toMatchObject({ partnerId: null, titleEn: "Real summit" });
    expect(await db.rsvp.findUnique({ where: { id: realRsvp.id } })).not.toBeNull();
    expect(await db.rsvp.count({ where: { eventId: sampleEvent.id } })).toBe(0);
    expect(await db.broadcast.findUnique({ where: { id: announcement.id } })).toBeNull();
    expect(await db.broadcast.findUnique({ where: { id: realBroadcast.id } })).not.toBeNull();
    expect(await db.sellerAssignment.count({ where: { sellerId: seller.id } })).toBe(0);
    expect((await db.user.findUniqueOrThrow({ where: { id: member.id } })).role).toBe("seller");
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("admin");
    expect(await db.user.count({ where: { id: { in: [seller.id, member.id, admin.id] } } })).toBe(3);
    expect(await removeSamples(db)).toEqual({ partners: 0, events: 0, broadcasts: 0 });
    await app.close();
  });
});
