/**
 * Opens the database: SQLite through better-sqlite3 (embedded default) or PostgreSQL
 * through node-postgres, both behind the same generated Prisma client API.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import type { Config } from "../config.ts";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
// Types only: each generated client (and its WebAssembly query compiler, tens of MB) is
// loaded when its provider is opened, never both.
import { createPostgresLimitStore } from "../core/limits/postgres-store.ts";
import type { LimitStore } from "../core/limits/store.ts";
import type { PrismaClient as SqliteClient } from "../generated/sqlite/client.ts";
import { createPostgresHotPath, createSqliteHotPath, type HotPath } from "./hot-path.ts";
import { migratePostgres, migrateSqlite, pendingPostgres, type MigrationReport } from "./migrate.ts";
import { createTurns, retryBusyStatements, SQLITE_BUSY_TIMEOUT_MS, takeTurnsWithTransactions } from "./sqlite-busy.ts";

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
  /** True when the database answers a trivial query within `timeoutMs` (for `/health`). */
  ping(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
  /** PostgreSQL: platform limits shared by every process on this database (src/core/limits). */
  limits?: LimitStore;
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
  /** Bounds on waiting for the database; defaults in {@link DEFAULT_TIMEOUTS}. */
  timeouts?: Partial<DatabaseTimeouts>;
}

/**
 * How long anything may wait for the database, so a silent server or a held lock fails a
 * statement instead of hanging the process (docs/decisions/0009-timeouts-and-shutdown.md).
 */
export interface DatabaseTimeouts {
  /** PostgreSQL: opening a connection, or waiting for a free one in the pool. */
  connectMs: number;
  /**
   * PostgreSQL: `statement_timeout` (the server cancels), plus a margin (half, at most
   * 2 s) for the client's own `query_timeout` (a server that does not answer at all).
   * SQLite: how long a statement waits, asynchronously, for another process's write lock.
   */
  statementMs: number;
}

/** Defaults: a connection within 5 s, a statement within 10 s. */
export const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connectMs: 5_000, statementMs: 10_000 };

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

/**
 * Opens the configured database as commands do: its URL and timeouts, SQLite migrated on
 * open, PostgreSQL only checked for pending migrations unless `migrate` says otherwise.
 */
export function openConfiguredDatabase(database: Config["database"], options: { migrate?: boolean } = {}): Promise<Database> {
  return openDatabase({ url: database.url, timeouts: database.timeouts, migrate: options.migrate ?? database.provider === "sqlite" });
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
  const { statementMs } = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // timeout = SQLite's busy_timeout, kept tiny: it waits inside the (synchronous) call. A
  // busy statement is retried asynchronously instead, for up to statementMs (sqlite-busy.ts).
  // Keep Prisma's own connection for the hot path (its adapter exposes it as `client`).
  let connection: Sqlite.Database | undefined;
  // Interactive transactions and the inbox's writes take turns on the shared connection.
  const turns = createTurns();
  class KeepConnection extends PrismaBetterSQLite3 {
    override async connect() {
      const connected = takeTurnsWithTransactions(retryBusyStatements(await super.connect(), statementMs), turns);
      connection = (connected as unknown as { client: Sqlite.Database }).client;
      return connected;
    }
  }
  const adapter = new KeepConnection({ url: `file:${path}`, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const { PrismaClient } = await import("../generated/sqlite/client.ts");
  const prisma = new PrismaClient({ adapter });
  // WAL persists in the file; synchronous=NORMAL is safe under WAL and much faster.
  await prisma.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  const hot = createSqliteHotPath(() => {
    if (!connection) throw new Error("the SQLite connection is not open");
    return connection;
  }, { budgetMs: statementMs, turns });
  return {
    prisma,
    provider: "sqlite",
    schema: "main",
    migration,
    hot,
    // A read never waits for a writer under WAL; this checks the file is there and readable.
    ping: async () => hot.ping().then(() => true, () => false),
    close: () => prisma.$disconnect(),
  };
}

async function openPostgres(options: OpenOptions): Promise<Database> {
  const url = new URL(options.url);
  const schema = options.schema ?? url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const connectionString = url.toString();
  let migration: MigrationReport = { applied: [], wasEmpty: false };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // Migrations may take long; checking for pending ones may not.
  const admin = new pg.Client({ connectionString, connectionTimeoutMillis: timeouts.connectMs, query_timeout: options.migrate ? undefined : clientTimeout(timeouts.statementMs) });
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
    ...poolTimeouts(timeouts),
    Client: GuardedClient,
  });
  // An idle client whose server went away must not crash the process; the pool drops it.
  pool.on("error", () => undefined);
  const adapter = new PrismaPg(pool, { schema });
  const { PrismaClient } = await import("../generated/postgres/client.ts");
  const prisma = new PrismaClient({ adapter }) as unknown as Db;
  return {
    prisma,
    provider: "postgresql",
    schema,
    migration,
    hot: createPostgresHotPath(pool),
    limits: createPostgresLimitStore(pool),
    ping: (timeoutMs) => pingPool(pool, timeoutMs),
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

/** The client's own limit: the server's statement_timeout plus a margin, so a live server cancels first. */
function clientTimeout(statementMs: number): number {
  return statementMs + Math.min(2000, Math.ceil(statementMs / 2));
}

/** Pool settings that bound every wait (docs/decisions/0009-timeouts-and-shutdown.md). */
function poolTimeouts(t: DatabaseTimeouts): pg.PoolConfig {
  return {
    // Connecting, and waiting for a free client when all are busy.
    connectionTimeoutMillis: t.connectMs,
    // The server cancels a statement after this …
    statement_timeout: t.statementMs,
    // … and the client gives up a little later if the server never answers at all.
    query_timeout: clientTimeout(t.statementMs),
    // A transaction left open by a stuck handler must not hold its locks for ever.
    idle_in_transaction_session_timeout: t.statementMs * 2,
    // Notice a connection whose peer vanished (no FIN, no RST) instead of waiting on it.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * A client that closes its socket when a query got no answer in time. node-postgres keeps
 * such a client (its query still "active"), and Prisma returns transaction clients to the
 * pool without an error, so the next user would wait on the same dead socket; closed, it
 * is no longer queryable and the pool replaces it.
 */
class GuardedClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    const drop = (error: unknown) => {
      if (error instanceof Error && error.message === "Query read timeout") (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    };
    this.query = ((...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === "function") {
        args[args.length - 1] = (error: unknown, result: unknown) => {
          drop(error);
          (callback as (e: unknown, r: unknown) => void)(error, result);
        };
        return query(...args);
      }
      const result = query(...args);
      if (result instanceof Promise) result.catch(drop);
      return result;
    }) as typeof this.query;
  }
}

/** `SELECT 1` within `timeoutMs`, whatever the pool is doing (all clients stuck included). */
async function pingPool(pool: pg.Pool, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  // query_timeout per query is honoured by node-postgres but missing from its types.
  const answer = pool.query({ text: "SELECT 1", query_timeout: timeoutMs } as pg.QueryConfig).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
