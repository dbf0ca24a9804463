import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/client.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.cleanup());

describe("migrations", () => {
  it("are committed for both providers with the same names", () => {
    expect(listMigrations("sqlite").map((m) => m.name)).toEqual(listMigrations("postgresql").map((m) => m.name));
    expect(listMigrations("sqlite").length).toBeGreaterThan(0);
  });

  it("report a brand-new database once, then nothing pending", async () => {
    expect(db.migration.wasEmpty).toBe(true);
    expect(db.migration.applied.length).toBe(listMigrations(db.provider).length);
    const again = await openDatabase({ url: db.url, migrate: true, schema: db.schema });
    expect(again.migration).toEqual({ applied: [], wasEmpty: false });
    await again.close();
  });

  it("refuses a database whose applied migration no longer matches its file", async () => {
    const table = db.provider === "sqlite" ? `"_seller_bot_migrations"` : `"${db.schema}"."_seller_bot_migrations"`;
    await db.prisma.$executeRawUnsafe(`UPDATE ${table} SET checksum = 'tampered'`);
    await expect(openDatabase({ url: db.url, migrate: true, schema: db.schema })).rejects.toThrow(/changed after this database applied them/);
    const first = listMigrations(db.provider)[0]!;
    await db.prisma.$executeRawUnsafe(`UPDATE ${table} SET checksum = '${first.checksum}' WHERE name = '${first.name}'`);
  });

  it("enforces the unique (channel, external id) identity", async () => {
    const user = await db.prisma.user.create({ data: {} });
    await db.prisma.channelIdentity.create({ data: { channel: "telegram", externalId: "1", userId: user.id } });
    await expect(db.prisma.channelIdentity.create({ data: { channel: "telegram", externalId: "1", userId: user.id } })).rejects.toMatchObject({ code: "P2002" });
  });

  it.runIf(testProvider === "sqlite")("uses WAL on SQLite", async () => {
    const rows = await db.prisma.$queryRawUnsafe<Array<{ journal_mode: string }>>("PRAGMA journal_mode");
    expect(rows[0]?.journal_mode).toBe("wal");
  });
});
