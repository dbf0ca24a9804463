/**
 * SQLite's lock waits, off the event loop. better-sqlite3 is synchronous: with a long
 * busy_timeout a write blocked by another process (an import, a second `start`) waits inside
 * the call and freezes everything, `/health` included. So the connection waits only a few
 * milliseconds itself, and a busy statement is tried again after an asynchronous pause, with
 * backoff, until the statement budget runs out (docs/decisions/0009-timeouts-and-shutdown.md).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { SqlDriverAdapter, SqlQueryable, Transaction } from "@prisma/driver-adapter-utils";
import { isSqliteBusy } from "./errors.ts";

/** SQLite's own busy_timeout: short enough never to be noticed by other work (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 10;

/** Runs `run`, trying again while SQLite says busy, for at most `budgetMs`; then rethrows. */
export async function retryWhileBusy<T>(run: () => T | Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isSqliteBusy(error)) throw error;
      const wait = Math.min(100, 2 ** attempt) * (0.5 + Math.random());
      if (Date.now() + wait > deadline) throw error;
      await sleep(wait);
    }
  }
}

/**
 * Makes Prisma's SQLite adapter retry busy statements asynchronously, in and out of
 * transactions. A statement that got SQLITE_BUSY did nothing, so running it again is safe
 * (SQLite's documentation says the same of a busy COMMIT).
 */
export function retryBusyStatements<T extends SqlDriverAdapter>(adapter: T, budgetMs: number): T {
  wrapQueryable(adapter, budgetMs);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => wrapQueryable(await retryWhileBusy(() => startTransaction(isolationLevel), budgetMs), budgetMs) as Transaction;
  return adapter;
}

/**
 * A lock taken in turns: first come, first served, except that an urgent taker (the inbox's
 * writes, a single quick transaction) goes before the transactions still waiting.
 * `acquire` resolves with the function that releases it.
 */
export interface Turns {
  acquire(urgent?: boolean): Promise<() => void>;
}

/** Creates {@link Turns}. */
export function createTurns(): Turns {
  const waiting: Array<() => void> = [];
  const urgentWaiting: Array<() => void> = [];
  let held = false;
  const next = () => {
    const go = urgentWaiting.shift() ?? waiting.shift();
    if (go) go();
    else held = false;
  };
  return {
    acquire(urgent = false) {
      return new Promise((resolve) => {
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          next();
        };
        const go = () => resolve(release);
        if (!held) {
          held = true;
          go();
        } else (urgent ? urgentWaiting : waiting).push(go);
      });
    },
  };
}

/**
 * Prisma's SQLite adapter runs an interactive transaction on its one connection, and runs
 * any other query on that connection meanwhile, inside it. Under load one transaction
 * follows another with no gap, so a statement that must not land inside one (the inbox:
 * a message acknowledged to the platform must not be rolled back with someone's
 * transaction) would wait for ever. Transactions and such statements therefore take turns:
 * a transaction holds its turn from BEGIN to COMMIT/ROLLBACK, and the inbox's writes go
 * before the transactions still waiting (they are one quick transaction).
 */
export function takeTurnsWithTransactions<T extends SqlDriverAdapter>(adapter: T, turns: Turns): T {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = await turns.acquire();
    let tx: Transaction;
    try {
      tx = await startTransaction(isolationLevel);
    } catch (error) {
      release();
      throw error;
    }
    const commit = tx.commit.bind(tx);
    const rollback = tx.rollback.bind(tx);
    tx.commit = () => commit().finally(release);
    tx.rollback = () => rollback().finally(release);
    return tx;
  };
  return adapter;
}

function wrapQueryable<Q extends SqlQueryable>(queryable: Q, budgetMs: number): Q {
  const queryRaw = queryable.queryRaw.bind(queryable);
  const executeRaw = queryable.executeRaw.bind(queryable);
  queryable.queryRaw = (query) => retryWhileBusy(() => queryRaw(query), budgetMs);
  queryable.executeRaw = (query) => retryWhileBusy(() => executeRaw(query), budgetMs);
  return queryable;
}
