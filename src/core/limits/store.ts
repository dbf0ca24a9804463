/**
 * Named limits and the stores that keep them. A limit is "at most `limit` takes in any
 * `windowMs`" under a key ("telegram:overall", "telegram:chat:42", "whatsapp-cloud:overall");
 * a send takes one permit of every limit that applies to it, all or none. The memory store
 * serves one process (the SQLite deployment, tests on a virtual clock); the PostgreSQL store
 * (postgres-store.ts) is shared by every process on the database
 * (docs/decisions/1101-shared-limits.md).
 */

/** At most `limit` takes in any window of `windowMs` under `key`. */
export interface Limit {
  key: string;
  limit: number;
  windowMs: number;
}

/** The answer to a take: taken, or which limits refused and how long each asks to wait. */
export interface TakeResult {
  taken: boolean;
  /** When not taken: ms until every limit that refused may have a permit free. */
  waitMs: number;
  /** The limits that refused, each with its own wait (empty when taken). */
  refused: Array<{ key: string; waitMs: number }>;
}

/** Keeps limits; `now` is the store's clock (the memory store's; the database's for PostgreSQL). */
export interface LimitStore {
  /**
   * Takes one permit of every limit, or none of them. `marks` (limits of one permit) are
   * stamped along with a take that succeeds, free or not: the send counts against them
   * without waiting for them (a reply to someone who wrote makes an announcement to that
   * chat wait its second, not the other way round). A mark never names a key in `limits`.
   */
  take(limits: Limit[], marks?: Limit[]): Promise<TakeResult>;
  /** Makes every permit of `limit` unavailable for `ms` from now (a 429's retry_after). */
  hold(limit: Limit, ms: number): Promise<void>;
  /** Whether several processes share this store. */
  readonly shared: boolean;
}

/** One process's limits, in memory: a sliding log of the last `limit` takes per key. */
export function createMemoryLimitStore(now: () => number = Date.now): LimitStore {
  const logs = new Map<string, number[]>();
  const held = new Map<string, number>();
  let takes = 0;

  /** ms until `limit` has a permit free (0 = now). */
  function wait(l: Limit, t: number): number {
    const log = logs.get(l.key);
    let at = held.get(l.key) ?? 0;
    if (log && log.length >= l.limit) at = Math.max(at, log[log.length - l.limit]! + l.windowMs);
    return Math.max(0, at - t);
  }

  function forgetIdle(t: number, windows: Map<string, number>): void {
    for (const [key, log] of logs) if ((log.at(-1) ?? 0) + (windows.get(key) ?? 0) < t) logs.delete(key);
    for (const [key, until] of held) if (until < t) held.delete(key);
  }

  const windows = new Map<string, number>();
  return {
    shared: false,
    async take(limits, marks = []) {
      const t = now();
      const refused = limits.map((l) => ({ key: l.key, waitMs: wait(l, t) })).filter((r) => r.waitMs > 0);
      if (refused.length) return { taken: false, waitMs: Math.max(...refused.map((r) => r.waitMs)), refused };
      for (const l of [...limits, ...marks]) {
        const log = logs.get(l.key) ?? [];
        log.push(t);
        // Only the last `limit` takes decide; older ones can go.
        if (log.length > l.limit) log.splice(0, log.length - l.limit);
        logs.set(l.key, log);
        windows.set(l.key, l.windowMs);
      }
      if (++takes % 5000 === 0) forgetIdle(t, windows);
      return { taken: true, waitMs: 0, refused: [] };
    },
    async hold(limit, ms) {
      const until = now() + ms;
      held.set(limit.key, Math.max(held.get(limit.key) ?? 0, until));
    },
  };
}
