/**
 * Which database failures are worth trying again: the database did not answer in time, the
 * connection broke, a lock was busy. A bug (a constraint, a bad query) is not. The core
 * leaves a message in the inbox for a retry on a transient failure and apologises on any
 * other; the CLI says "the database did not answer" instead of a driver's text.
 */

// node-postgres and Node's socket errors (no SQLSTATE): no answer, or the connection broke.
const PG_MESSAGES = /Query read timeout|timeout exceeded when trying to connect|Connection terminated|connection error and is not queryable|Client was closed|Connection timeout|database system is (starting up|shutting down)/i;
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);
// SQLSTATE classes and codes: 08 connection exception, 53 insufficient resources,
// 57014 statement timeout / cancel, 57P0x shutdown, 40001 serialization, 40P01 deadlock,
// 55P03 lock not available, 25P03 idle-in-transaction timeout.
const PG_STATES = /^(08|53)...$|^(57014|57P01|57P02|57P03|40001|40P01|55P03|25P03)$/;
// Prisma: P1001 unreachable, P1002/P1008 timed out, P1017 connection closed, P2024 pool
// timeout, P2028 transaction API (could not start in time), P2034 write conflict, P2037 too
// many connections.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034", "P2037"]);
const DRIVER_KINDS = new Set(["DatabaseNotReachable", "SocketTimeout", "ConnectionClosed", "TransactionWriteConflict", "TooManyConnections"]);

/** True for SQLite's "another connection holds the lock" (better-sqlite3 or through Prisma). */
export function isSqliteBusy(error: unknown): boolean {
  return someCause(error, (e) => {
    const code = e.code ?? e.originalCode;
    return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
  });
}

/** True when trying again later can succeed: timeouts, broken connections, busy locks. */
export function isTransientDatabaseError(error: unknown): boolean {
  return someCause(error, (e) => {
    const code = e.code ?? e.originalCode;
    if (typeof code === "string") {
      if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return true;
      if (NODE_CODES.has(code) || PRISMA_CODES.has(code) || PG_STATES.test(code)) return true;
    }
    if (typeof e.kind === "string" && DRIVER_KINDS.has(e.kind)) return true;
    if (e.name === "DatabaseTimeoutError") return true;
    return typeof e.message === "string" && PG_MESSAGES.test(e.message);
  });
}

/** Raised by our own bounded waits (a lock that stayed busy, a ping that got no answer). */
export class DatabaseTimeoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseTimeoutError";
  }
}

type ErrorLike = { code?: unknown; originalCode?: unknown; kind?: unknown; name?: unknown; message?: unknown; cause?: unknown; meta?: unknown };

/** Walks an error, its causes and Prisma's wrapped driver error (meta.driverAdapterError). */
function someCause(error: unknown, test: (e: ErrorLike) => boolean, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 6) return false;
  const e = error as ErrorLike;
  if (test(e)) return true;
  const meta = e.meta as { driverAdapterError?: unknown } | undefined;
  return someCause(e.cause, test, depth + 1) || someCause(meta?.driverAdapterError, test, depth + 1);
}
