/**
 * Limits shared by every process on one PostgreSQL database (docs/decisions/1101-shared-limits.md).
 *
 * A limit of N per window is up to N permit rows in "RateSlot". A take is one statement: for
 * every limit it locks a permit whose last use is at least a window old (`FOR UPDATE SKIP
 * LOCKED`, so concurrent takers get different permits and never wait on each other), or
 * adds a new permit while the key has fewer than N, and stamps them all with the database's
 * clock, or none when any limit has no permit free. Under READ COMMITTED the lock re-checks
 * each row's newest version, so two processes never stamp the same permit within one
 * window: any window holds at most N takes, whatever the number of processes. Nothing is
 * leased: a process that dies holds nothing beyond the permits it already used, which are
 * free again one window after that use (a second for the rate).
 */
import type pg from "pg";
import type { Limit, LimitStore, TakeResult } from "./store.ts";

const NOW = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

// Per wanted limit: a free permit (locked), how many permits exist and the oldest stamp (for
// the wait). Stamps the picked permits and adds the new ones only when every limit has one,
// and then stamps each mark's single permit too, free or not (moving a stamp later never
// lets a window hold more takes: the permit's next use is a window after the new stamp).
// Two takers adding the same new permit at once: one insert does nothing, that take reports
// not taken, and the permits it stamped for its other limits are used without a send (the
// rate can only be lower, never higher).
const TAKE = `
WITH now AS (SELECT ${NOW} AS t),
want AS (SELECT * FROM unnest($1::text[], $2::int[], $3::int[]) AS w(key, lim, win)),
pick AS (
  SELECT w.key, w.lim, w.win, p.slot,
    (SELECT count(*) FROM "RateSlot" s WHERE s.key = w.key AND s.slot < w.lim)::int AS permits,
    (SELECT min(s.at) FROM "RateSlot" s WHERE s.key = w.key AND s.slot < w.lim) AS oldest
  FROM want w
  LEFT JOIN LATERAL (
    SELECT s.slot FROM "RateSlot" s, now
    WHERE s.key = w.key AND s.slot < w.lim AND s.at <= now.t - w.win
    ORDER BY s.at LIMIT 1
    FOR UPDATE OF s SKIP LOCKED
  ) p ON true
),
ok AS (SELECT bool_and(slot IS NOT NULL OR permits < lim) AS ok FROM pick),
stamp AS (
  UPDATE "RateSlot" s SET at = now.t
  FROM pick, now, ok
  WHERE ok.ok AND pick.slot IS NOT NULL AND s.key = pick.key AND s.slot = pick.slot
  RETURNING s.key
),
added AS (
  INSERT INTO "RateSlot" (key, slot, at, "windowMs")
  SELECT pick.key, pick.permits, now.t, pick.win FROM pick, now, ok
  WHERE ok.ok AND pick.slot IS NULL
  ON CONFLICT (key, slot) DO NOTHING
  RETURNING key
),
marked AS (
  INSERT INTO "RateSlot" (key, slot, at, "windowMs")
  SELECT m.key, 0, now.t, m.win FROM unnest($4::text[], $5::int[]) AS m(key, win), now, ok
  WHERE ok.ok
  ON CONFLICT (key, slot) DO UPDATE SET at = GREATEST("RateSlot".at, EXCLUDED.at)
  RETURNING key
)
SELECT pick.key, pick.slot, pick.permits, pick.lim, ok.ok,
  ((SELECT count(*) FROM stamp) + (SELECT count(*) FROM added))::int AS stamped,
  pick.oldest + pick.win - now.t AS wait
FROM pick, ok, now`;

// Creates every missing permit of the limits; new ones are free now.
const ENSURE = `
INSERT INTO "RateSlot" (key, slot, at, "windowMs")
SELECT w.key, g, ${NOW} - w.win, w.win
FROM unnest($1::text[], $2::int[], $3::int[]) AS w(key, lim, win), generate_series(0, w.lim - 1) g
ON CONFLICT (key, slot) DO NOTHING`;

const HOLD = `UPDATE "RateSlot" SET at = GREATEST(at, ${NOW} + $3::bigint - $2::bigint) WHERE key = $1 AND slot < $4`;

// Permits unused for a minute beyond their window: a chat written to once should not stay.
const PRUNE = `DELETE FROM "RateSlot" WHERE at + "windowMs" < ${NOW} - 60000`;

/** Options for the shared store. */
export interface PostgresLimitOptions {
  /** How often this process deletes long-unused permits (default 60 s; 0 = never). */
  pruneEveryMs?: number;
}

/**
 * Runs one statement again when PostgreSQL chose it as a deadlock victim (40P01). Each
 * statement here is atomic on its own (autocommit), so the victim changed nothing, and the
 * cycles are brief: permit rows of several limits, or new permits inserted by two takers.
 */
async function retryDeadlock<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (error) {
      if (i >= attempts || (error as { code?: string }).code !== "40P01") throw error;
      await new Promise((resolve) => setTimeout(resolve, 2 * i + Math.random() * 5));
    }
  }
}

type TakeRow = { key: string; slot: number | null; permits: number; lim: number; ok: boolean; stamped: number; wait: string | null };

/** A {@link LimitStore} on the pool every process shares. */
export function createPostgresLimitStore(pool: pg.Pool, options: PostgresLimitOptions = {}): LimitStore {
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  let lastPrune = Date.now();
  // Always in key order, so that two takers lock and insert permits of the same limits in
  // the same order (a different order is how two statements deadlock).
  const columns = (unsorted: Limit[]) => {
    const limits = [...unsorted].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return [limits.map((l) => l.key), limits.map((l) => l.limit), limits.map((l) => Math.max(1, Math.round(l.windowMs)))];
  };
  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => retryDeadlock(() => pool.query<R>(text, values));

  const markColumns = (marks: Limit[]) => {
    const sorted = [...marks].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return [sorted.map((m) => m.key), sorted.map((m) => Math.max(1, Math.round(m.windowMs)))];
  };

  async function once(limits: Limit[], marks: Limit[]): Promise<{ result: TakeResult; collided: boolean }> {
    const { rows } = await query<TakeRow>(TAKE, [...columns(limits), ...markColumns(marks)]);
    const taken = rows[0]?.ok === true && rows[0].stamped === limits.length;
    // A permit locked by another taker shows as "free now": come back in a moment.
    const refused = rows.filter((r) => r.slot === null && r.permits >= r.lim).map((r) => ({ key: r.key, waitMs: Math.max(1, Number(r.wait ?? 1)) }));
    const collided = !taken && rows[0]?.ok === true;
    return { result: { taken, waitMs: taken ? 0 : Math.max(1, ...refused.map((r) => r.waitMs)), refused }, collided };
  }

  return {
    shared: true,
    async take(limits, marks = []) {
      if (pruneEveryMs > 0 && Date.now() - lastPrune > pruneEveryMs) {
        lastPrune = Date.now();
        await query(PRUNE, []);
      }
      const first = await once(limits, marks);
      if (!first.collided) return first.result;
      // A new permit was added by another taker at the same moment, or pruning left a hole
      // in the numbering: fill every permit in, then try once more.
      await query(ENSURE, columns(limits));
      return (await once(limits, marks)).result;
    },
    async hold(limit, ms) {
      await query(ENSURE, columns([limit]));
      await query(HOLD, [limit.key, Math.max(1, Math.round(limit.windowMs)), Math.round(ms), limit.limit]);
    },
  };
}
