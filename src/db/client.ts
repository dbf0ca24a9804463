/**
 * Opens the database: SQLite through better-sqlite3 (embedded default) or PostgreSQL
 * through node-postgres, both behind the same generated Prisma client API.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
// Types only: each generated client (and its WebAssembly query compiler, tens of MB) is
// loaded when its provider is opened, never both.
import type { PrismaClient as SqliteClient } from "../generated/sqlite/client.ts";
import { createPostgresHotPath, createSqliteHotPath, type HotPath } from "./hot-path.ts";
import { migratePostgres, migrateSqlite, pendingPostgres, type MigrationReport } from "./migrate.ts";

/**
 * The Prisma client type every repository uses. Both generated clients have the same model
 * API; the SQLite one serves as the type (docs/decisions/0001-prisma-offline.md).
 */
export type Db = SqliteClient;

/** An open database and what is needed to close it. */
export interface Database {
  prisma: Db;
  provider: "sqlite" | "postgresql";
  /** For PostgreSQL: the schema holding the tables (`public` unless a test picked one). */
  schema: string;
  /** Migrations applied while opening (empty when `migrate` was false). */
  migration: MigrationReport;
  /** The per-message statements of the core, on the driver directly. */
  hot: HotPath;
  close(): Promise<void>;
}

/** How to open the database. */
export interface OpenOptions {
  url: string;
  /** Apply pending migrations before returning (default true for SQLite, false for PostgreSQL). */
  migrate?: boolean;
  /** PostgreSQL schema (default from `?schema=` in the URL, else `public`). */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** Raised when PostgreSQL has migrations pending and `migrate` was not asked for. */
export class PendingMigrationsError extends Error {
  constructor(readonly pending: string[]) {
    super(`The database needs migrating (${pending.length} pending: ${pending.join(", ")}). Run: npx seller-bot db migrate`);
    this.name = "PendingMigrationsError";
  }
}

/** Drops a PostgreSQL schema and everything in it (tests and benchmarks clean up with it). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, "")}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Opens SQLite (`file:` URL) or PostgreSQL (`postgres://` URL). */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.url.startsWith("file:") ? openSqlite(options) : openPostgres(options);
}

/**
 * Resolves `file:./x.db` to an absolute path, ready to open: the file holds WhatsApp
 * session keys and sellers' phone numbers and locations, so a folder we create is 0700
 * and the database file is 0600 (created so, or closed up if an older version left it
 * readable). SQLite gives -wal and -shm the database file's mode when it creates them.
 */
export function sqlitePath(url: string): string {
  const path = resolve(url.slice("file:".length));
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
  return path;
}

async function openSqlite(options: OpenOptions): Promise<Database> {
  const path = sqlitePath(options.url);
  let migration: MigrationReport = { applied: [], wasEmpty: false };
  if (options.migrate !== false) {
    const raw = new Sqlite(path, { timeout: 10_000 });
    try {
      migration = migrateSqlite(raw);
    } finally {
      raw.close();
    }
  }
  // timeout = SQLite busy_timeout: wait for another writer instead of failing at once.
  // Keep Prisma's own connection for the hot path (its adapter exposes it as `client`).
  let connection: Sqlite.Database | undefined;
  class KeepConnection extends PrismaBetterSQLite3 {
    override async connect() {
      const connected = await super.connect();
      connection = (connected as unknown as { client: Sqlite.Database }).client;
      return connected;
    }
  }
  const adapter = new KeepConnection({ url: `file:${path}`, timeout: 10_000 });
  const { PrismaClient } = await import("../generated/sqlite/client.ts");
  const prisma = new PrismaClient({ adapter });
  // WAL persists in the file; synchronous=NORMAL is safe under WAL and much faster.
  await prisma.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  const hot = createSqliteHotPath(() => {
    if (!connection) throw new Error("the SQLite connection is not open");
    return connection;
  });
  return { prisma, provider: "sqlite", schema: "main", migration, hot, close: () => prisma.$disconnect() };
}

async function openPostgres(options: OpenOptions): Promise<Database> {
  const url = new URL(options.url);
  const schema = options.schema ?? url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const connectionString = url.toString();
  let migration: MigrationReport = { applied: [], wasEmpty: false };
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    if (options.migrate) migration = await migratePostgres(admin, schema);
    else {
      const pending = await pendingPostgres(admin, schema);
      if (pending.length > 0) throw new PendingMigrationsError(pending);
    }
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    // Raw SQL written by features is unqualified; the search path points it at our schema.
    options: `-c search_path="${schema}"`,
  });
  const adapter = new PrismaPg(pool, { schema });
  const { PrismaClient } = await import("../generated/postgres/client.ts");
  const prisma = new PrismaClient({ adapter }) as unknown as Db;
  return {
    prisma,
    provider: "postgresql",
    schema,
    migration,
    hot: createPostgresHotPath(pool),
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
