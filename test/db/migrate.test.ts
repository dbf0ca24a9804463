import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTestSettings } from "../../src/config.ts";
import { listMigrations, UnknownMigrationsError } from "../../src/db/migrate.ts";
import { dropPostgresSchema, openDatabase, PendingMigrationsError } from "../../src/db/client.ts";
import { runCliInProcess } from "../support/cli.ts";
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
    // Put every checksum back: the tests below open this database again.
    for (const m of listMigrations(db.provider)) await db.prisma.$executeRawUnsafe(`UPDATE ${table} SET checksum = '${m.checksum}' WHERE name = '${m.name}'`);
  });

  it("refuses a database holding a migration this code does not know, naming it and what to do", async () => {
    const table = db.provider === "sqlite" ? `"_seller_bot_migrations"` : `"${db.schema}"."_seller_bot_migrations"`;
    const future = "29991231000000_from_a_newer_version";
    await db.prisma.$executeRawUnsafe(`INSERT INTO ${table} (name, checksum, "appliedAt") VALUES ('${future}', 'x', '2999-12-31')`);
    try {
      const error = await openDatabase({ url: db.url, migrate: true, schema: db.schema }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownMigrationsError);
      expect((error as Error).message).toBe(
        `This database has 1 migration(s) this version of seller-bot does not know: ${future}. ` +
          "It was migrated by a newer version (or another branch). Run that version, or restore a backup taken before it.",
      );
      if (db.provider === "postgresql") {
        // Also when the process only checks (PostgreSQL is not migrated at start).
        await expect(openDatabase({ url: db.url, migrate: false, schema: db.schema })).rejects.toBeInstanceOf(UnknownMigrationsError);
      }
    } finally {
      await db.prisma.$executeRawUnsafe(`DELETE FROM ${table} WHERE name = '${future}'`);
    }
  });

  it.runIf(testProvider === "postgres")("PostgreSQL with a pending migration: start refuses and names it and the command", async () => {
    const table = `"${db.schema}"."_seller_bot_migrations"`;
    const last = listMigrations("postgresql").at(-1)!;
    await db.prisma.$executeRawUnsafe(`DELETE FROM ${table} WHERE name = '${last.name}'`);
    try {
      const error = await openDatabase({ url: db.url, migrate: false, schema: db.schema }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PendingMigrationsError);
      expect((error as PendingMigrationsError).pending).toEqual([last.name]);
      expect((error as Error).message).toContain("Run: npx seller-bot db migrate");
    } finally {
      await db.prisma.$executeRawUnsafe(`INSERT INTO ${table} (name, checksum, "appliedAt") VALUES ('${last.name}', '${last.checksum}', '2026-01-01')`);
    }
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

describe("seller-bot db migrate", () => {
  const settings = loadTestSettings();
  /** A database nobody has migrated yet: a new SQLite file or a new PostgreSQL schema. */
  async function blank(): Promise<{ url: string; drop(): Promise<void> }> {
    const id = randomBytes(4).toString("hex");
    if (testProvider === "postgres") {
      const schema = `test_cli_${id}`;
      return { url: `${settings.TEST_POSTGRES_URL}?schema=${schema}`, drop: () => dropPostgresSchema(settings.TEST_POSTGRES_URL, schema) };
    }
    const dir = resolve(".tmp/test-db");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `cli-${id}.db`);
    return { url: `file:${file}`, drop: async () => ["", "-wal", "-shm"].forEach((x) => rmSync(file + x, { force: true })) };
  }

  it("applies every migration to a new database, then says it is up to date", async () => {
    const target = await blank();
    try {
      const first = await runCliInProcess(target.url, ["db", "migrate"]);
      const names = listMigrations(testProvider === "postgres" ? "postgresql" : "sqlite").map((m) => m.name);
      expect(first).toMatchObject({ code: 0, stderr: "" });
      expect(first.stdout).toBe(`Applied ${names.length} migration(s): ${names.join(", ")}\n`);
      const second = await runCliInProcess(target.url, ["db", "migrate"]);
      expect(second).toEqual({ code: 0, stdout: "The database is up to date.\n", stderr: "" });
    } finally {
      await target.drop();
    }
  });

  it("exits 78 with the reason on a database from a newer version, and on a bad subcommand says what it takes", async () => {
    const target = await blank();
    try {
      expect((await runCliInProcess(target.url, ["db", "migrate"])).code).toBe(0);
      const opened = await openDatabase({ url: target.url, migrate: true });
      await opened.prisma.$executeRawUnsafe(`INSERT INTO "_seller_bot_migrations" (name, checksum, "appliedAt") VALUES ('29991231000000_newer', 'x', '2999-12-31')`);
      await opened.close();
      const refused = await runCliInProcess(target.url, ["db", "migrate"]);
      expect(refused.code).toBe(78);
      expect(refused.stderr).toContain("does not know: 29991231000000_newer");
      const usage = await runCliInProcess(target.url, ["db", "upgrade"]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("unknown command 'upgrade'");
      expect(usage.stderr).toContain("Did you mean migrate?");
    } finally {
      await target.drop();
    }
  });
});
