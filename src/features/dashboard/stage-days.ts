/**
 * Median days from joining to each stage, per partner and over all sellers. The reach
 * dates live in each seller's SellerProgress.stages JSON (the progress feature's state),
 * so a median reads every seller of the scope: over 100,000 sellers that is 0.5-1 s, over
 * a 3,700-seller partner 40-80 ms on PostgreSQL; too slow for every page view. A job
 * computes them all in one pass every 10 minutes and stores them (DashboardStageDays); the
 * overview reads a few rows and says when they were computed. A scope with no stored rows
 * yet, or rows older than two rounds (no job running anywhere), is computed on the spot.
 * Decision: docs/decisions/0802-stage-days-precomputed.md.
 */
import { Prisma } from "../../generated/sqlite/client.ts";
import type { AppDeps, Job } from "../../core/context.ts";
import type { Db } from "../../db/client.ts";
import type { Scope } from "../progress/queries.ts";
import type { Provider } from "./queries.ts";

/** How often the job recomputes. */
export const STAGE_DAYS_INTERVAL_MS = 10 * 60_000;

/** Days from joining to one stage: the median and how many sellers it is taken over. */
export interface StageDays {
  stageId: string;
  median: number;
  sellers: number;
}

/** The stored key of a scope. */
export const scopeKey = (scope: Scope) => (scope.kind === "admin" ? "all" : `partner:${scope.partnerId}`);

/**
 * Computes the medians from SellerProgress: for every partner and "all" (no `partnerId`),
 * or for one partner. Each query returns one text value with a line per started seller
 * ("<joined, epoch s> <stages JSON>"), parsed here: parsing the JSON in SQL cost 2-3x more
 * on PostgreSQL, and one value spares the driver's per-row work. A full round asks partner
 * by partner, then for the sellers without one ("all" is their union): SQLite's queries
 * run on the event loop, and many short ones (the largest partner: ~40 ms) let messages
 * through where one query over everyone would hold them for seconds.
 */
export async function computeStageDays(db: Db, provider: Provider, partnerId?: number): Promise<Map<string, StageDays[]>> {
  const out = new Map<string, StageDays[]>();
  if (partnerId !== undefined) {
    out.set(`partner:${partnerId}`, medians(await daysOf(db, provider, Prisma.sql`sa."partnerId" = ${partnerId}`)));
    return out;
  }
  const all = new Map<string, number[]>();
  const partners = await db.sellerAssignment.groupBy({ by: ["partnerId"], orderBy: { partnerId: "asc" } });
  const last = (await db.user.aggregate({ _max: { id: true } }))._max.id ?? 0;
  // Sellers without a partner, 20,000 user ids at a time (a query each, like a partner).
  const unassigned = Array.from({ length: Math.ceil(last / 20_000) }, (_, i) => Prisma.sql`sa."sellerId" IS NULL AND u."id" > ${i * 20_000} AND u."id" <= ${(i + 1) * 20_000}`);
  const parts = [...partners.map((p) => ({ key: `partner:${p.partnerId}`, where: Prisma.sql`sa."partnerId" = ${p.partnerId}` })), ...unassigned.map((where) => ({ key: null, where }))];
  for (const { key, where } of parts) {
    const days = await daysOf(db, provider, where);
    if (key) out.set(key, medians(days));
    for (const [stageId, list] of days) {
      const into = all.get(stageId);
      if (into) for (const d of list) into.push(d);
      else all.set(stageId, list);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  out.set("all", medians(all));
  return out;
}

/** Days from joining to each stage of the started sellers matching `where` (on `sa`). */
async function daysOf(db: Db, provider: Provider, where: Prisma.Sql): Promise<Map<string, number[]>> {
  const lines =
    provider === "sqlite"
      ? Prisma.sql`group_concat(strftime('%s', u."createdAt") || ' ' || sp."stages", char(10))`
      : Prisma.sql`string_agg(CAST(FLOOR(EXTRACT(EPOCH FROM u."createdAt")) AS bigint) || ' ' || sp."stages", chr(10))`;
  const [row] = await db.$queryRaw<Array<{ lines: string | null }>>(
    Prisma.sql`SELECT ${lines} AS lines FROM "SellerProgress" sp JOIN "User" u ON u."id" = sp."sellerId" LEFT JOIN "SellerAssignment" sa ON sa."sellerId" = sp."sellerId"
      WHERE u."role" = 'seller' AND sp."currentIndex" >= 0 AND ${where}`,
  );
  const days = new Map<string, number[]>();
  addDays(days, row?.lines ?? "");
  return days;
}

/** Stores computed medians; `replaceAll` also drops scopes that are gone (a full round). */
export async function saveStageDays(db: Db, results: Map<string, StageDays[]>, now: Date, replaceAll: boolean): Promise<void> {
  const rows = [...results].flatMap(([scope, stages]) => stages.map((s) => ({ scope, stageId: s.stageId, medianDays: s.median, sellers: s.sellers, computedAt: now })));
  await db.$transaction(
    async (tx) => {
      if (replaceAll) await tx.dashboardStageDays.deleteMany();
      else await tx.dashboardStageDays.deleteMany({ where: { scope: { in: [...results.keys()] } } });
      for (let i = 0; i < rows.length; i += 1000) await tx.dashboardStageDays.createMany({ data: rows.slice(i, i + 1000) });
    },
    { timeout: 60_000, maxWait: 20_000 },
  );
}

/**
 * The medians of a scope and when they were computed: the stored ones while fresh (two
 * job rounds), else computed now and stored (a partner alone; for "all", every scope).
 */
export async function readStageDays(db: Db, provider: Provider, scope: Scope, now: Date, intervalMs = STAGE_DAYS_INTERVAL_MS): Promise<{ stages: StageDays[]; computedAt: Date }> {
  const key = scopeKey(scope);
  const rows = await db.dashboardStageDays.findMany({ where: { scope: key } });
  const computedAt = rows[0]?.computedAt;
  if (computedAt && now.getTime() - computedAt.getTime() <= 2 * intervalMs) {
    return { stages: rows.map((r) => ({ stageId: r.stageId, median: r.medianDays, sellers: r.sellers })), computedAt };
  }
  const fresh = await computeStageDays(db, provider, scope.kind === "partner" ? scope.partnerId : undefined);
  await saveStageDays(db, fresh, now, scope.kind === "admin");
  return { stages: fresh.get(key) ?? [], computedAt: now };
}

/** The job: a full round at start, then every `intervalMs`; a failed round is logged and retried next time. */
export function createStageDaysJob(deps: Pick<AppDeps, "db" | "database" | "log" | "now">, intervalMs = STAGE_DAYS_INTERVAL_MS): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    const t0 = Date.now();
    const results = await computeStageDays(deps.db, deps.database.provider);
    await saveStageDays(deps.db, results, deps.now(), true);
    deps.log.debug({ scopes: results.size, ms: Date.now() - t0 }, "dashboard: days to each stage computed");
  };
  return {
    name: "dashboard.stage-days",
    start() {
      const run = () => (running = running.then(round).catch((err: unknown) => deps.log.warn({ err }, "dashboard: days to each stage not computed")));
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Adds each line's days from joining to each stage reached; a corrupt line counts for nothing. */
function addDays(days: Map<string, number[]>, text: string): void {
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    const joined = Number(line.slice(0, space)) * 1000;
    const reached = space > 0 && Number.isFinite(joined) ? parseReached(line.slice(space + 1)) : null;
    if (!reached) continue;
    for (const [stageId, at] of reached) {
      let list = days.get(stageId);
      if (!list) days.set(stageId, (list = []));
      list.push(Math.max(0, (at - joined) / 86_400_000));
    }
  }
}

/** Stage id → time reached, from a SellerProgress.stages value; null when it is not such an object. */
function parseReached(json: string): Array<[string, number]> | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const out: Array<[string, number]> = [];
  for (const [stageId, at] of Object.entries(value)) {
    const time = typeof at === "string" ? Date.parse(at) : NaN;
    if (Number.isFinite(time)) out.push([stageId, time]);
  }
  return out;
}

function medians(days: Map<string, number[]>): StageDays[] {
  return [...days].map(([stageId, list]) => ({ stageId, median: median(list)!, sellers: list.length }));
}

/** The median of a list (the mean of the two middle values for an even count); null when empty. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
