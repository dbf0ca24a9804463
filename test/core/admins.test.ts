/**
 * SELLER_BOT_ADMINS rules at every `start` and `chat`: listed identities become admins,
 * admins no longer listed lose the role (back to partner when they are an approved partner
 * member). One-off commands (`events list`, …) leave roles alone: an operator's shell may
 * not carry the bot's environment.
 */
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => database.cleanup());

async function person(externalId: string, role: string, channel = "console") {
  return database.prisma.user.create({ data: { role, identities: { create: { channel, externalId } } } });
}
const roleOf = async (id: number) => (await database.prisma.user.findUniqueOrThrow({ where: { id } })).role;

async function open(admins: string, options: { seedIfNew?: boolean } = {}) {
  const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", LOG_LEVEL: "silent", SELLER_BOT_ADMINS: admins });
  const app = await createApp(config, { database, log: pino({ level: "silent" }), ...options });
  await app.close();
}

describe("admin rights from SELLER_BOT_ADMINS", () => {
  it("are granted to listed users and taken from unlisted admins at start", async () => {
    const boss = await person("boss", "seller");
    const former = await person("former", "admin");
    const formerPartner = await person("former-partner", "admin");
    const partner = await database.prisma.partner.create({ data: { name: "P", code: "p", city: "Sialkot", latitude: 32.5, longitude: 74.5, approved: true } });
    await database.prisma.partnerMember.create({ data: { userId: formerPartner.id, partnerId: partner.id, status: "approved" } });
    const wa = await person("923001234567@s.whatsapp.net", "seller", "whatsapp");
    const bystander = await person("bystander", "seller");

    await open("console:boss,whatsapp:923001234567@s.whatsapp.net", { seedIfNew: true });
    expect(await roleOf(boss.id)).toBe("admin");
    expect(await roleOf(wa.id)).toBe("admin");
    expect(await roleOf(former.id)).toBe("seller");
    expect(await roleOf(formerPartner.id)).toBe("partner");
    expect(await roleOf(bystander.id)).toBe("seller");

    // Removed from the list: gone at the next start.
    await open("console:boss", { seedIfNew: true });
    expect(await roleOf(wa.id)).toBe("seller");
    expect(await roleOf(boss.id)).toBe("admin");
  });

  it("are left alone by one-off commands", async () => {
    const admin = await person("keeps", "admin");
    await open("");
    expect(await roleOf(admin.id)).toBe("admin");
  });
});
