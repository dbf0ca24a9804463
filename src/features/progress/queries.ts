/**
 * Read-side queries for partners, admins and the export. Each reads the denormalised
 * SellerProgress row, never the event history, and takes its scope from SellerAssignment
 * (the partners feature's source of truth), so a reassigned seller leaves the old partner's
 * view at once (docs/decisions/0301-progress-history-and-state.md).
 * Raw SQL is written to run unchanged on SQLite and PostgreSQL.
 */
import { Prisma } from "../../generated/sqlite/client.ts";
import type { Db } from "../../db/client.ts";

/** Whose sellers a query covers. */
export type Scope = { kind: "admin" } | { kind: "partner"; partnerId: number };

/** Sellers counted at their furthest stage (-1: nothing reached yet). */
export interface StageCount {
  index: number;
  count: number;
}

const num = (v: unknown) => Number(v ?? 0);
const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));

/**
 * FROM clause for a scope: the sellers it covers (`u`, and `sa` for a partner), with their
 * progress row `sp` (may be null), ending in a WHERE the caller extends with AND.
 */
export function scopeFrom(scope: Scope): Prisma.Sql {
  return scope.kind === "partner"
    ? Prisma.sql`FROM "SellerAssignment" sa JOIN "User" u ON u."id" = sa."sellerId" LEFT JOIN "SellerProgress" sp ON sp."sellerId" = sa."sellerId" WHERE sa."partnerId" = ${scope.partnerId}`
    : Prisma.sql`FROM "User" u LEFT JOIN "SellerProgress" sp ON sp."sellerId" = u."id" WHERE u."role" = 'seller'`;
}

/** How many sellers are at each stage. */
export async function stageCounts(db: Db, scope: Scope): Promise<StageCount[]> {
  if (scope.kind === "admin") return allStageCounts(db);
  // An assignment is always a seller: no User join needed.
  const rows = await db.$queryRaw<Array<{ idx: unknown; n: unknown }>>(
    Prisma.sql`SELECT COALESCE(sp."currentIndex", -1) AS idx, COUNT(*) AS n FROM "SellerAssignment" sa LEFT JOIN "SellerProgress" sp ON sp."sellerId" = sa."sellerId" WHERE sa."partnerId" = ${scope.partnerId} GROUP BY COALESCE(sp."currentIndex", -1)`,
  );
  return rows.map((r) => ({ index: num(r.idx), count: num(r.n) })).sort((a, b) => a.index - b.index);
}

/**
 * Every seller: started sellers from the currentIndex index (staff rows left out), and
 * "not started" as all sellers minus those; 4x faster than joining 100,000 users.
 */
async function allStageCounts(db: Db): Promise<StageCount[]> {
  const [sellers] = await db.$queryRaw<Array<{ n: unknown }>>(Prisma.sql`SELECT COUNT(*) AS n FROM "User" WHERE "role" = 'seller'`);
  const rows = await db.$queryRaw<Array<{ idx: unknown; n: unknown }>>(
    Prisma.sql`SELECT sp."currentIndex" AS idx, COUNT(*) AS n FROM "SellerProgress" sp
      WHERE sp."currentIndex" >= 0 AND sp."sellerId" NOT IN (SELECT "id" FROM "User" WHERE "role" <> 'seller') GROUP BY sp."currentIndex"`,
  );
  const started = rows.map((r) => ({ index: num(r.idx), count: num(r.n) }));
  const notStarted = Math.max(0, num(sellers?.n) - total(started));
  return [{ index: -1, count: notStarted }, ...started].filter((c) => c.count > 0).sort((a, b) => a.index - b.index);
}

/** Stage counts per group (admin): by the seller's city or by their partner. */
export async function groupedCounts(db: Db, by: "city" | "partner"): Promise<Array<{ group: string; counts: StageCount[] }>> {
  const sql =
    by === "city"
      ? Prisma.sql`SELECT COALESCE(pr."city", '') AS grp, COALESCE(sp."currentIndex", -1) AS idx, COUNT(*) AS n
          FROM "User" u LEFT JOIN "SellerProfile" pr ON pr."userId" = u."id" LEFT JOIN "SellerProgress" sp ON sp."sellerId" = u."id"
          WHERE u."role" = 'seller' GROUP BY COALESCE(pr."city", ''), COALESCE(sp."currentIndex", -1)`
      : Prisma.sql`SELECT COALESCE(p."name", '') AS grp, COALESCE(sp."currentIndex", -1) AS idx, COUNT(*) AS n
          FROM "User" u LEFT JOIN "SellerAssignment" sa ON sa."sellerId" = u."id" LEFT JOIN "Partner" p ON p."id" = sa."partnerId"
          LEFT JOIN "SellerProgress" sp ON sp."sellerId" = u."id"
          WHERE u."role" = 'seller' GROUP BY COALESCE(p."name", ''), COALESCE(sp."currentIndex", -1)`;
  const rows = await db.$queryRaw<Array<{ grp: unknown; idx: unknown; n: unknown }>>(sql);
  const groups = new Map<string, StageCount[]>();
  for (const r of rows) {
    const key = String(r.grp ?? "");
    groups.set(key, [...(groups.get(key) ?? []), { index: num(r.idx), count: num(r.n) }]);
  }
  return [...groups].map(([group, counts]) => ({ group, counts })).sort((a, b) => total(b.counts) - total(a.counts));
}

/** Sum of counts. */
export const total = (counts: StageCount[]) => counts.reduce((s, c) => s + c.count, 0);

/** A seller who has not moved. */
export interface StuckSeller {
  id: number;
  name: string | null;
  index: number;
  since: Date;
}

/**
 * Sellers in scope with no change since `cutoff` who have not finished the checklist,
 * longest-stuck first. Never-changed sellers count from when they first wrote to the bot.
 */
export async function stuckSellers(db: Db, scope: Scope, cutoff: Date, stageTotal: number, limit = 15): Promise<{ total: number; sellers: StuckSeller[] }> {
  // One pass: the window count is the total before LIMIT.
  const rows = await db.$queryRaw<Array<{ id: unknown; name: string | null; idx: unknown; since: unknown; total: unknown }>>(
    Prisma.sql`SELECT u."id" AS id, u."displayName" AS name, COALESCE(sp."currentIndex", -1) AS idx, COALESCE(sp."lastChangeAt", u."createdAt") AS since, COUNT(*) OVER () AS total
      ${scopeFrom(scope)} AND ${stuckCondition(cutoff, stageTotal)}
      ORDER BY since ASC, u."id" ASC LIMIT ${limit}`,
  );
  return { total: num(rows[0]?.total), sellers: rows.map((r) => ({ id: num(r.id), name: r.name, index: num(r.idx), since: date(r.since) })) };
}

/** The total of {@link stuckSellers} alone: a plain count, 2x faster over every seller than the window. */
export async function stuckCount(db: Db, scope: Scope, cutoff: Date, stageTotal: number): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: unknown }>>(Prisma.sql`SELECT COUNT(*) AS n ${scopeFrom(scope)} AND ${stuckCondition(cutoff, stageTotal)}`);
  return num(row?.n);
}

/** Stuck: not finished, and no change since `cutoff` (never-changed sellers count from when they first wrote). */
export const stuckCondition = (cutoff: Date, stageTotal: number) =>
  Prisma.sql`COALESCE(sp."reachedCount", 0) < ${stageTotal} AND COALESCE(sp."lastChangeAt", u."createdAt") < ${cutoff}`;

/** A seller the scope may see, by id; null when absent or not theirs (the same answer, so nothing leaks). */
export async function sellerInScope(db: Db, scope: Scope, sellerId: number): Promise<{ id: number; name: string | null; createdAt: Date } | null> {
  if (!Number.isSafeInteger(sellerId) || sellerId <= 0) return null;
  const user = await db.user.findUnique({ where: { id: sellerId }, select: { id: true, displayName: true, createdAt: true, role: true } });
  if (!user || user.role !== "seller") return null;
  if (scope.kind === "partner") {
    const assignment = await db.sellerAssignment.findUnique({ where: { sellerId }, select: { partnerId: true } });
    if (assignment?.partnerId !== scope.partnerId) return null;
  }
  return { id: user.id, name: user.displayName, createdAt: user.createdAt };
}

/** Sellers in scope whose name contains `name` (case-insensitive), at most `limit`. */
export async function sellersByName(db: Db, scope: Scope, name: string, limit = 6): Promise<Array<{ id: number; name: string | null }>> {
  const pattern = `%${name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.$queryRaw<Array<{ id: unknown; name: string | null }>>(
    Prisma.sql`SELECT u."id" AS id, u."displayName" AS name ${scopeFrom(scope)} AND LOWER(u."displayName") LIKE ${pattern} ESCAPE '\\' ORDER BY u."id" LIMIT ${limit}`,
  );
  return rows.map((r) => ({ id: num(r.id), name: r.name }));
}

/** One export row's raw data. */
export interface ExportRow {
  id: number;
  name: string | null;
  city: string | null;
  partnerId: number | null;
  partnerName: string | null;
  stages: string | null;
  reachedCount: number;
  currentIndex: number;
  lastChangeAt: Date | null;
}

/** Pages through every seller in scope, ordered by id (keyset, so 100,000 rows stay cheap). */
export async function* exportRows(db: Db, scope: Scope, pageSize = 2000): AsyncGenerator<ExportRow> {
  let after = 0;
  for (;;) {
    const rows = await db.$queryRaw<Array<Record<string, unknown>>>(
      Prisma.sql`SELECT u."id" AS id, u."displayName" AS name, pr."city" AS city, sa2."partnerId" AS "partnerId", p."name" AS "partnerName",
          sp."stages" AS stages, COALESCE(sp."reachedCount", 0) AS "reachedCount", COALESCE(sp."currentIndex", -1) AS "currentIndex", sp."lastChangeAt" AS "lastChangeAt"
        FROM (SELECT u."id" AS uid ${scopeFrom(scope)} AND u."id" > ${after} ORDER BY u."id" LIMIT ${pageSize}) ids
        JOIN "User" u ON u."id" = ids.uid
        LEFT JOIN "SellerProgress" sp ON sp."sellerId" = u."id"
        LEFT JOIN "SellerProfile" pr ON pr."userId" = u."id"
        LEFT JOIN "SellerAssignment" sa2 ON sa2."sellerId" = u."id"
        LEFT JOIN "Partner" p ON p."id" = sa2."partnerId"
        ORDER BY u."id"`,
    );
    for (const r of rows) {
      yield {
        id: num(r.id),
        name: (r.name as string | null) ?? null,
        city: (r.city as string | null) ?? null,
        partnerId: r.partnerId == null ? null : num(r.partnerId),
        partnerName: (r.partnerName as string | null) ?? null,
        stages: (r.stages as string | null) ?? null,
        reachedCount: num(r.reachedCount),
        currentIndex: num(r.currentIndex),
        lastChangeAt: r.lastChangeAt == null ? null : date(r.lastChangeAt),
      };
    }
    if (rows.length < pageSize) return;
    after = num(rows.at(-1)!.id);
  }
}
