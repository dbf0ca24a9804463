import { PassThrough } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { phoneSchema, runWhatsApp } from "../../src/channels/whatsapp/cli.ts";
import { loadConfig } from "../../src/config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { fakeSockets, linkedCreds, storeLinkedSession, until } from "./support.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.cleanup());
beforeEach(async () => {
  await database.prisma.whatsAppAuthKey.deleteMany();
  await database.prisma.whatsAppLease.deleteMany();
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: "silent" });
  return { io: { stdin: new PassThrough(), stdout, stderr, config }, out: () => out.join(""), err: () => err.join("") };
}

describe("whatsapp login: arguments", () => {
  it("validates the phone number for --pairing-code", () => {
    expect(phoneSchema.parse("+92 300 1234567")).toBe("923001234567");
    expect(phoneSchema.parse("0092-300-1234567")).toBe("923001234567");
    for (const bad of ["03001234567", "abc", "92300", "+92 300 1234567 1234567", ""]) expect(phoneSchema.safeParse(bad).success, bad).toBe(false);
  });

  it("exits 2 with one clear line on bad usage", async () => {
    for (const [argv, pattern] of [[[], /usage/i], [["logout"], /usage/i], [["login", "extra"], /too many arguments/], [["login", "--pairing-code", "03001234567"], /country code/], [["login", "--nope"], /unknown option/]] as const) {
      const t = io();
      expect(await runWhatsApp([...argv], t.io), argv.join(" ")).toBe(2);
      expect(t.err()).toMatch(pattern);
    }
  });
});

describe("whatsapp login: linking", () => {
  it("shows a QR code, saves the session when linked, survives the 515 restart, exits 0", async () => {
    const sockets = fakeSockets({ autoOpen: false });
    const t = io();
    const run = runWhatsApp(["login"], t.io, { socketFactory: sockets.factory });
    await until(() => sockets.sockets.length === 1);
    sockets.latest.emit("connection.update", { qr: "2@Zm9vYmFyYmF6,cXV4cXV1eA==,c2VjcmV0,YWR2" });
    await until(() => t.out().includes("Linked devices"));
    expect(t.out()).toMatch(/[▄▀█]/);
    sockets.latest.emit("creds.update", linkedCreds());
    sockets.latest.close(515, "Stream Errored (restart required)");
    await until(() => sockets.sockets.length === 2);
    sockets.latest.open();
    expect(await run).toBe(0);
    expect(t.out()).toMatch(/Linked as "Seller Bot"/);
    const row = await database.prisma.whatsAppAuthKey.findFirstOrThrow({ where: { type: "creds" } });
    expect(row.value).toContain("205555555555555:7@lid");
    expect(await database.prisma.whatsAppLease.count()).toBe(0);
  });

  it("prints a pairing code for --pairing-code", async () => {
    const sockets = fakeSockets({ autoOpen: false });
    const t = io();
    const run = runWhatsApp(["login", "--pairing-code", "+92 300 1234567"], t.io, { socketFactory: sockets.factory });
    await until(() => sockets.sockets.length === 1);
    sockets.latest.emit("connection.update", { qr: "2@ref" });
    await until(() => t.out().includes("Pairing code"));
    expect(t.out()).toContain("Pairing code: ABCD-1234");
    sockets.latest.open();
    expect(await run).toBe(0);
  });

  it("a QR not scanned in time: exit 1 with what to do", async () => {
    const sockets = fakeSockets({ autoOpen: false });
    const t = io();
    const run = runWhatsApp(["login"], t.io, { socketFactory: sockets.factory });
    await until(() => sockets.sockets.length === 1);
    sockets.latest.close(408, "QR refs attempts ended");
    expect(await run).toBe(1);
    expect(t.err()).toMatch(/not scanned in time/);
  });

  it("refuses while another process holds the number", async () => {
    await database.prisma.whatsAppLease.create({ data: { session: "default", owner: "server-1:4242:abc", heartbeatAt: new Date() } });
    const sockets = fakeSockets();
    const t = io();
    expect(await runWhatsApp(["login"], t.io, { socketFactory: sockets.factory })).toBe(1);
    expect(t.err()).toMatch(/in use by another seller-bot process \(server-1:4242:abc/);
    expect(sockets.sockets).toHaveLength(0);
  });

  it("a corrupted session is reported and kept; --reset clears it and links again", async () => {
    await database.prisma.whatsAppAuthKey.create({ data: { session: "default", type: "creds", keyId: "", value: "garbage" } });
    const sockets = fakeSockets();
    const t = io();
    expect(await runWhatsApp(["login"], t.io, { socketFactory: sockets.factory })).toBe(1);
    expect(t.err()).toMatch(/unreadable.*--reset/);
    expect((await database.prisma.whatsAppAuthKey.findFirstOrThrow()).value).toBe("garbage");
    const t2 = io();
    expect(await runWhatsApp(["login", "--reset"], t2.io, { socketFactory: sockets.factory })).toBe(0);
    expect(t2.err()).toMatch(/cleared \(1 rows\)/);
  });

  it("with a stored session it reconnects without a QR", async () => {
    await storeLinkedSession(database.prisma);
    const sockets = fakeSockets();
    const t = io();
    expect(await runWhatsApp(["login"], t.io, { socketFactory: sockets.factory })).toBe(0);
    expect(t.out()).not.toMatch(/Scan this QR/);
    expect(sockets.latest.options.auth.creds.me?.name).toBe("Seller Bot");
  });
});
