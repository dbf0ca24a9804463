/**
 * `npm run bench:progress [-- --sellers N --events N --db sqlite|postgres|both]`
 * Seeds N sellers (default 100,000) with N progress events (default 1,000,000), ~300 sellers
 * per partner plus one large partner, cities, and the SellerProgress rows the feature keeps;
 * then times, through the feature's own queries:
 *   - the partner summary (stage counts of one partner's sellers), random partners;
 *   - the stuck query ("stuck 14": count + longest-stuck 15);
 *   - the admin summary (all sellers);
 * against a baseline computed from the ProgressEvent table alone in the same run.
 * SQLite: a temporary file; PostgreSQL: its own schema at TEST_POSTGRES_URL (default
 * postgresql://postgres@127.0.0.1:5432/test), dropped at the end. Prints figures; asserts
 * only that the baseline and the denormalised state agree.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { Prisma } from "../src/generated/sqlite/client.ts";
import { dropPostgresSchema, openDatabase, type Database, type Db } from "../src/db/client.ts";
import { stageCounts, stuckSellers, type Scope, type StageCount } from "../src/features/progress/queries.ts";
import { loadStages } from "../src/features/progress/stages.ts";
import { generate, NOW, PG_URL, seedPostgres, seedSqlite, type Seed } from "./progress-data.ts";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : def);
const SELLERS = Number(arg("sellers", "100000"));
const EVENTS = Number(arg("events", "1000000"));
const WHICH = arg("db", "both");
const KEEP = argv.includes("--keep"); // keep the SQLite file for EXPLAIN QUERY PLAN
const stages = loadStages("content");

/** Stage counts straight from the history: the last event per (seller, stage) decides. */
function baselineCounts(db: Db, partnerId: number | null): Promise<Array<{ idx: unknown; n: unknown }>> {
  const idx = Prisma.raw(`CASE e."stageId" ${stages.list.map((s) => `WHEN '${s.id}' THEN ${s.index}`).join(" ")} END`);
  const scope = partnerId === null ? Prisma.empty : Prisma.sql`JOIN "SellerAssignment" sa ON sa."sellerId" = x."sellerId" AND sa."partnerId" = ${partnerId}`;
  return db.$queryRaw(Prisma.sql`
    SELECT furthest AS idx, COUNT(*) AS n FROM (
      SELECT e."sellerId", MAX(${idx}) AS furthest
      FROM (SELECT x."sellerId", x."stageId", MAX(x."id") AS id FROM "ProgressEvent" x ${scope} GROUP BY x."sellerId", x."stageId") l
      JOIN "ProgressEvent" e ON e."id" = l.id WHERE e."action" = 'tick' GROUP BY e."sellerId") f
    GROUP BY furthest`);
}

/** "Stuck" straight from the history: last event per assigned seller older than the cutoff. */
function baselineStuck(db: Db, partnerId: number, cutoff: Date) {
  return db.$queryRaw(Prisma.sql`
    SELECT sa."sellerId", MAX(e."createdAt") AS last FROM "SellerAssignment" sa LEFT JOIN "ProgressEvent" e ON e."sellerId" = sa."sellerId"
    WHERE sa."partnerId" = ${partnerId} GROUP BY sa."sellerId" HAVING MAX(e."createdAt") IS NULL OR MAX(e."createdAt") < ${cutoff}
    ORDER BY last ASC LIMIT 15`);
}

async function time(label: string, iterations: number, fn: (i: number) => Promise<unknown>): Promise<string> {
  for (let i = 0; i < Math.min(10, iterations); i++) await fn(i); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]!.toFixed(1);
  return `${label.padEnd(44)} p50 ${q(0.5).padStart(7)} ms   p99 ${q(0.99).padStart(7)} ms   (n=${iterations})`;
}

function normalise(counts: StageCount[], total: number): string {
  const m = new Map(counts.filter((c) => c.index >= 0).map((c) => [c.index, c.count]));
  const started = [...m.values()].reduce((a, b) => a + b, 0);
  return JSON.stringify([total - started, ...stages.list.map((s) => m.get(s.index) ?? 0)]);
}

async function measure(name: string, database: Database, s: Seed): Promise<void> {
  const db = database.prisma;
  const partners = s.partners.map(([id]) => id);
  const randomPartner = (i: number) => partners[(i * 7919) % partners.length]!;
  const scope = (id: number): Scope => ({ kind: "partner", partnerId: id });
  const cutoff = new Date(NOW.getTime() - 14 * 86_400_000);
  // The denormalised state and the history must agree before timing anything.
  for (const p of [1, 2]) {
    const fast = await stageCounts(db, scope(p));
    const total = fast.reduce((a, c) => a + c.count, 0);
    const slow = (await baselineCounts(db, p)).map((r) => ({ index: Number(r.idx), count: Number(r.n) }));
    if (normalise(fast, total) !== normalise(slow, total)) throw new Error(`${name}: summary disagrees with the history for partner ${p}`);
  }
  const big = s.assignments.filter(([, p]) => p === 1).length;
  console.log(`\n${name}: ${s.users.length} sellers, ${s.events.length} events, ${partners.length} partners (~${Math.round(s.assignments.length / partners.length)} sellers each; partner 1: ${big})`);
  console.log(await time("partner summary (random partners)", 500, (i) => stageCounts(db, scope(randomPartner(i)))));
  console.log(await time("partner summary (largest partner)", 200, () => stageCounts(db, scope(1))));
  console.log(await time("  baseline from events (random partners)", 100, (i) => baselineCounts(db, randomPartner(i))));
  console.log(await time("stuck 14 (random partners)", 300, (i) => stuckSellers(db, scope(randomPartner(i)), cutoff, stages.list.length)));
  console.log(await time("stuck 14 (largest partner)", 100, () => stuckSellers(db, scope(1), cutoff, stages.list.length)));
  console.log(await time("  baseline from events (random partners)", 100, (i) => baselineStuck(db, randomPartner(i), cutoff)));
  console.log(await time("admin summary (all sellers)", 30, () => stageCounts(db, { kind: "admin" })));
  console.log(await time("  baseline from events (all sellers)", 3, () => baselineCounts(db, null)));
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const s = generate(stages, SELLERS, EVENTS);
  console.log(`generated ${s.users.length} sellers and ${s.events.length} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (WHICH === "sqlite" || WHICH === "both") {
    const dir = resolve(".tmp/bench");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `progress-${process.pid}.db`);
    const database = await openDatabase({ url: `file:${file}`, migrate: true });
    try {
      const t1 = performance.now();
      seedSqlite(file, s);
      console.log(`SQLite seeded in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      await measure("SQLite", database, s);
    } finally {
      await database.close();
      if (KEEP) console.log(`kept ${file}`);
      else for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    }
  }
  if (WHICH === "postgres" || WHICH === "both") {
    const schema = `bench_progress_${process.pid}`;
    const database = await openDatabase({ url: PG_URL, schema, migrate: true, poolSize: 2 });
    try {
      const t1 = performance.now();
      await seedPostgres(schema, s);
      console.log(`PostgreSQL seeded in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      await measure("PostgreSQL", database, s);
    } finally {
      await database.close();
      await dropPostgresSchema(PG_URL, schema);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
