import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBaileysLogger, maskJids } from "../../src/channels/whatsapp/baileys-logger.ts";
import { createLease } from "../../src/channels/whatsapp/lease.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.cleanup());

describe(`WhatsApp lease (${testProvider})`, () => {
  it("one holder at a time; renew keeps it; a silent holder's lease expires; release frees it", async () => {
    let now = new Date("2026-11-27T10:00:00Z");
    const clock = () => now;
    const a = createLease(db.prisma, "n1", { owner: "a", now: clock, ttlMs: 60_000 });
    const b = createLease(db.prisma, "n1", { owner: "b", now: clock, ttlMs: 60_000 });
    expect(await a.acquire()).toEqual({ ok: true });
    expect(await a.acquire()).toEqual({ ok: true });
    expect(await b.acquire()).toEqual({ ok: false, holder: { owner: "a", heartbeatAt: now } });
    now = new Date(now.getTime() + 50_000);
    expect(await a.renew()).toBe(true);
    now = new Date(now.getTime() + 50_000);
    expect((await b.acquire()).ok).toBe(false);
    now = new Date(now.getTime() + 61_000);
    expect(await b.acquire()).toEqual({ ok: true });
    expect(await a.renew()).toBe(false);
    await a.release();
    expect((await db.prisma.whatsAppLease.findUniqueOrThrow({ where: { session: "n1" } })).owner).toBe("b");
    await b.release();
    expect(await db.prisma.whatsAppLease.count({ where: { session: "n1" } })).toBe(0);
  });

  it("of many processes racing for a free number, exactly one wins", async () => {
    const leases = Array.from({ length: 6 }, (_, i) => createLease(db.prisma, "n2", { owner: `p${i}` }));
    const results = await Promise.all(leases.map((l) => l.acquire()));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("of processes racing for an expired lease, exactly one wins", async () => {
    await db.prisma.whatsAppLease.create({ data: { session: "n3", owner: "dead", heartbeatAt: new Date(Date.now() - 10 * 60_000) } });
    const leases = Array.from({ length: 6 }, (_, i) => createLease(db.prisma, "n3", { owner: `q${i}` }));
    const results = await Promise.all(leases.map((l) => l.acquire()));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });
});

describe("Baileys logger", () => {
  const capture = (level: pino.Level) => {
    const lines: string[] = [];
    return { log: pino({ level }, { write: (s: string) => void lines.push(s) }), lines };
  };

  it("below debug: only warnings and errors, every JID masked in objects, errors and messages", () => {
    const { log, lines } = capture("info");
    const b = createBaileysLogger(log);
    b.info({ jid: "923001110001@s.whatsapp.net" }, "connected");
    b.warn({ key: { remoteJid: "923001110001@s.whatsapp.net", participant: "201234567890123:4@lid" }, err: new Error("no session for 923001110001.0 / 923001110001@s.whatsapp.net") }, "failed to decrypt from 201234567890123@lid");
    b.child({ recipient: "923002220002@s.whatsapp.net" }).error("send to 923002220002@s.whatsapp.net failed");
    expect(lines).toHaveLength(2);
    const all = lines.join("\n");
    expect(all).not.toMatch(/923001110001@|201234567890123@|923002220002@/);
    expect(all).toContain("…@lid");
    expect(all).toContain("failed to decrypt");
  });

  it("at debug: everything, unmasked (the operator asked for it)", () => {
    const { log, lines } = capture("debug");
    createBaileysLogger(log).debug({ jid: "923001110001@s.whatsapp.net" }, "x");
    expect(lines.join("")).toContain("923001110001@s.whatsapp.net");
  });

  it("masks JIDs with devices and keeps other text", () => {
    expect(maskJids("to 923001110001:12@s.whatsapp.net and group 120363012345678901@g.us")).toBe("to …@s.whatsapp.net and group 120363012345678901@g.us");
  });
});
