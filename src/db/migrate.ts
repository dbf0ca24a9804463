/**
 * Applies the committed SQL migrations (prisma/migrations/<provider>/) in order.
 *
 * Why not `prisma migrate deploy`: the Prisma CLI is a development tool that takes seconds
 * to start; the bot applies migrations at start-up on the embedded database, and tests
 * migrate one database per worker. The SQL itself is written by `prisma migrate diff`
 * (scripts/new-migration.mjs), so Prisma stays the source of the schema.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** One migration: its folder name and SQL. */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Result of a migration run. */
export interface MigrationReport {
  applied: string[];
  /** true when the database had no migrations before this run (a brand-new database). */
  wasEmpty: boolean;
}

/** Lists the committed migrations for a provider, oldest first. */
export function listMigrations(provider: "sqlite" | "postgresql"): Migration[] {
  const dir = join(root, "prisma/migrations", provider === "sqlite" ? "sqlite" : "postgres");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Raised when the database's applied migrations do not match this version's files: a file
 * changed after the database applied it (this class), or the database holds migrations the
 * code does not know ({@link UnknownMigrationsError}). The CLI prints the message and exits 78.
 */
export class MigrationChangedError extends Error {
  constructor(
    readonly names: string[],
    message = `Migration(s) ${names.join(", ")} changed after this database applied them. ` +
      "Restore the original files, or (for a development database) delete it and start again.",
  ) {
    super(message);
    this.name = "MigrationChangedError";
  }
}

/**
 * The database was migrated by a newer seller-bot (or another branch): running older code
 * on a schema it does not know would fail in odd places, or write rows a newer column
 * expects otherwise, so it is refused up front.
 */
export class UnknownMigrationsError extends MigrationChangedError {
  constructor(names: string[]) {
    super(
      names,
      `This database has ${names.length} migration(s) this version of seller-bot does not know: ${names.join(", ")}. ` +
        "It was migrated by a newer version (or another branch). Run that version, or restore a backup taken before it.",
    );
    this.name = "UnknownMigrationsError";
  }
}

/** Refuses to run on a database whose applied migrations no longer match the files. */
function checkApplied(applied: Array<{ name: string; checksum?: string }>, provider: "sqlite" | "postgresql"): void {
  const files = new Map(listMigrations(provider).map((m) => [m.name, m.checksum]));
  const unknown = applied.filter((a) => !files.has(a.name)).map((a) => a.name);
  if (unknown.length > 0) throw new UnknownMigrationsError(unknown.sort());
  const changed = applied.filter((a) => a.checksum !== undefined && files.get(a.name) !== a.checksum).map((a) => a.name);
  if (changed.length > 0) throw new MigrationChangedError(changed);
}

const TABLE = `CREATE TABLE IF NOT EXISTS "_seller_bot_migrations" (
  "name" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`;

/** Migrates a SQLite database through better-sqlite3; sets WAL mode (it persists in the file). */
export function migrateSqlite(db: BetterSqlite3.Database): MigrationReport {
  db.pragma("journal_mode = WAL");
  db.exec(TABLE);
  // BEGIN IMMEDIATE takes the write lock up front, so two processes starting together
  // apply each migration once.
  const run = db.transaction(() => {
    const applied = db.prepare(`SELECT name, checksum FROM "_seller_bot_migrations"`).all() as Array<{ name: string; checksum: string }>;
    checkApplied(applied, "sqlite");
    const done = new Set(applied.map((r) => r.name));
    const pending = listMigrations("sqlite").filter((m) => !done.has(m.name));
    for (const m of pending) {
      db.exec(m.sql);
      db.prepare(`INSERT INTO "_seller_bot_migrations" (name, checksum, appliedAt) VALUES (?, ?, ?)`).run(m.name, m.checksum, new Date().toISOString());
    }
    return { applied: pending.map((m) => m.name), wasEmpty: done.size === 0 };
  });
  return run.immediate();
}

/** Migrates a PostgreSQL schema; an advisory lock keeps concurrent starters apart. */
export async function migratePostgres(client: pg.ClientBase, schema: string): Promise<MigrationReport> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, "")}"`);
  await client.query(`SET search_path TO "${schema.replace(/"/g, "")}"`);
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [`seller-bot-migrate:${schema}`]);
  try {
    await client.query(TABLE);
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_seller_bot_migrations"`);
    checkApplied(rows, "postgresql");
    const done = new Set(rows.map((r) => r.name));
    const pending = listMigrations("postgresql").filter((m) => !done.has(m.name));
    for (const m of pending) {
      await client.query("BEGIN");
      try {
        // Prisma's generated SQL starts with CREATE SCHEMA "public"; tables are unqualified
        // and land in the search_path schema.
        await client.query(m.sql);
        await client.query(`INSERT INTO "_seller_bot_migrations" (name, checksum, "appliedAt") VALUES ($1, $2, $3)`, [m.name, m.checksum, new Date().toISOString()]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
    return { applied: pending.map((m) => m.name), wasEmpty: done.size === 0 };
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`seller-bot-migrate:${schema}`]);
  }
}

/**
 * Names of migrations not yet applied to a PostgreSQL schema. Throws
 * {@link MigrationChangedError} / {@link UnknownMigrationsError} when the applied ones do not
 * match the files.
 */
export async function pendingPostgres(client: pg.ClientBase, schema: string): Promise<string[]> {
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [`"${schema}"."_seller_bot_migrations"`]);
  const done = new Set<string>();
  if (exists.rows[0]?.t) {
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "${schema}"."_seller_bot_migrations"`);
    checkApplied(rows, "postgresql");
    for (const r of rows) done.add(r.name);
  }
  return listMigrations("postgresql").map((m) => m.name).filter((n) => !done.has(n));
}
