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
import Sqlite from "better-sqlite3";
import pg from "pg";
import { Prisma } from "../src/generated/sqlite/client.ts";
import { dropPostgresSchema, openDatabase, type Database, type Db } from "../src/db/client.ts";
import { stageCounts, stuckSellers, type Scope, type StageCount } from "../src/features/progress/queries.ts";
import { loadStages } from "../src/features/progress/stages.ts";
import { fold, stateFields } from "../src/features/progress/store.ts";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : def);
const SELLERS = Number(arg("sellers", "100000"));
const EVENTS = Number(arg("events", "1000000"));
const WHICH = arg("db", "both");
const KEEP = argv.includes("--keep"); // keep the SQLite file for EXPLAIN QUERY PLAN
const PG_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const stages = loadStages("content");
const NOW = new Date("2026-11-27T12:00:00Z");
const CITIES = ["Sialkot", "Lahore", "Faisalabad", "Gujranwala", "Karachi", "Multan", "Peshawar", "Islamabad"];

// Deterministic pseudo-random numbers, so both databases get the same data.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

interface Seed {
  users: Array<[id: number, createdAt: Date, name: string]>;
  partners: Array<[id: number, name: string, city: string]>;
  assignments: Array<[sellerId: number, partnerId: number, at: Date]>;
  profiles: Array<[userId: number, city: string]>;
  events: Array<[sellerId: number, stageId: string, action: string, at: Date]>;
  progress: Array<[sellerId: number, stages: string, reached: number, current: number, last: Date]>;
}

function generate(): Seed {
  seed = 42;
  const s: Seed = { users: [], partners: [], assignments: [], profiles: [], events: [], progress: [] };
  const partnerCount = Math.max(2, Math.round(SELLERS / 300));
  for (let p = 1; p <= partnerCount; p++) s.partners.push([p, `Bench Partner ${p}`, pick(CITIES)]);
  const ks: number[] = [];
  for (let i = 1; i <= SELLERS; i++) {
    const created = new Date(NOW.getTime() - (30 + rand() * 400) * 86_400_000);
    s.users.push([i, created, `Seller ${i}`]);
    // Partner 1 is a large agency (3% of sellers); 10% have no partner.
    const r = rand();
    if (r < 0.03) s.assignments.push([i, 1, created]);
    else if (r < 0.9) s.assignments.push([i, 2 + Math.floor(rand() * (partnerCount - 1)), created]);
    if (rand() < 0.8) s.profiles.push([i, pick(CITIES)]);
    ks.push(rand() < 0.1 ? 0 : 1 + Math.floor(rand() * stages.list.length));
  }
  const active = ks.filter((k) => k > 0).length;
  const extra = Math.max(0, EVENTS - ks.reduce((a, b) => a + b, 0));
  let activeIndex = 0;
  for (let i = 1; i <= SELLERS; i++) {
    const k = ks[i - 1]!;
    if (k === 0) continue;
    // Undo/re-tick pairs fill up to exactly EVENTS events (an odd one ends on an undo).
    const x = Math.floor(extra / active) + (activeIndex < extra % active ? 1 : 0);
    activeIndex += 1;
    let at = s.users[i - 1]![1].getTime();
    const step = () => (at = Math.min(NOW.getTime() - 3600_000, at + rand() * 20 * 86_400_000));
    const mine: Seed["events"] = [];
    for (let j = 0; j < k; j++) mine.push([i, stages.list[j]!.id, "tick", new Date(step())]);
    const lastStage = stages.list[k - 1]!.id;
    for (let j = 0; j < x; j++) mine.push([i, lastStage, j % 2 === 0 ? "undo" : "tick", new Date(step())]);
    s.events.push(...mine);
    const reached = fold(mine.map(([, stageId, action, createdAt]) => ({ stageId, action, createdAt })));
    const f = stateFields(stages, reached);
    s.progress.push([i, f.stages, f.reachedCount, f.currentIndex, mine.at(-1)![3]]);
  }
  return s;
}

const iso = (d: Date) => d.toISOString().replace("Z", "+00:00"); // the Prisma SQLite adapter's format

function seedSqlite(file: string, s: Seed): void {
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const tx = db.transaction(() => {
    const u = db.prepare(`INSERT INTO "User" ("id","role","language","languageExplicit","displayName","createdAt","updatedAt") VALUES (?, 'seller', 'en', 0, ?, ?, ?)`);
    for (const [id, at, name] of s.users) u.run(id, name, iso(at), iso(at));
    const p = db.prepare(`INSERT INTO "Partner" ("id","name","code","city","latitude","longitude","approved","createdAt","updatedAt") VALUES (?, ?, ?, ?, 32.5, 74.5, 1, ?, ?)`);
    for (const [id, name, city] of s.partners) p.run(id, name, `bp${id}`, city, iso(NOW), iso(NOW));
    const a = db.prepare(`INSERT INTO "SellerAssignment" ("sellerId","partnerId","assignedAt") VALUES (?, ?, ?)`);
    for (const [sid, pid, at] of s.assignments) a.run(sid, pid, iso(at));
    const pr = db.prepare(`INSERT INTO "SellerProfile" ("userId","city","categories","updatedAt") VALUES (?, ?, '', ?)`);
    for (const [uid, city] of s.profiles) pr.run(uid, city, iso(NOW));
    const e = db.prepare(`INSERT INTO "ProgressEvent" ("sellerId","stageId","action","source","actorId","createdAt") VALUES (?, ?, ?, 'seller', ?, ?)`);
    for (const [sid, stageId, action, at] of s.events) e.run(sid, stageId, action, sid, iso(at));
    const sp = db.prepare(`INSERT INTO "SellerProgress" ("sellerId","stages","reachedCount","currentIndex","lastChangeAt","updatedAt") VALUES (?, ?, ?, ?, ?, ?)`);
    for (const [sid, st, reached, current, last] of s.progress) sp.run(sid, st, reached, current, iso(last), iso(last));
  });
  tx();
  db.exec("ANALYZE");
  db.close();
}

async function seedPostgres(schema: string, s: Seed): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path="${schema}"` });
  await client.connect();
  const bulk = async <T extends unknown[]>(rows: T[], sql: string, columns: (rows: T[]) => unknown[]) => {
    for (let i = 0; i < rows.length; i += 50_000) await client.query(sql, columns(rows.slice(i, i + 50_000)));
  };
  const col = <T extends unknown[]>(rows: T[], i: number) => rows.map((r) => r[i]);
  await client.query("BEGIN");
  await bulk(s.users, `INSERT INTO "User" ("id","role","language","languageExplicit","displayName","createdAt","updatedAt") SELECT id, 'seller', 'en', false, n, c, c FROM unnest($1::int[], $2::text[], $3::timestamptz[]) AS t(id, n, c)`, (r) => [col(r, 0), col(r, 2), col(r, 1)]);
  await bulk(s.partners, `INSERT INTO "Partner" ("id","name","code","city","latitude","longitude","approved","createdAt","updatedAt") SELECT id, n, 'bp' || id, c, 32.5, 74.5, true, now(), now() FROM unnest($1::int[], $2::text[], $3::text[]) AS t(id, n, c)`, (r) => [col(r, 0), col(r, 1), col(r, 2)]);
  await bulk(s.assignments, `INSERT INTO "SellerAssignment" ("sellerId","partnerId","assignedAt") SELECT * FROM unnest($1::int[], $2::int[], $3::timestamptz[])`, (r) => [col(r, 0), col(r, 1), col(r, 2)]);
  await bulk(s.profiles, `INSERT INTO "SellerProfile" ("userId","city","categories","updatedAt") SELECT u, c, '', now() FROM unnest($1::int[], $2::text[]) AS t(u, c)`, (r) => [col(r, 0), col(r, 1)]);
  await bulk(s.events, `INSERT INTO "ProgressEvent" ("sellerId","stageId","action","source","actorId","createdAt") SELECT s, st, a, 'seller', s, c FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[]) AS t(s, st, a, c)`, (r) => [col(r, 0), col(r, 1), col(r, 2), col(r, 3)]);
  await bulk(s.progress, `INSERT INTO "SellerProgress" ("sellerId","stages","reachedCount","currentIndex","lastChangeAt","updatedAt") SELECT s, st, r, c, l, l FROM unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::timestamptz[]) AS t(s, st, r, c, l)`, (r) => [col(r, 0), col(r, 1), col(r, 2), col(r, 3), col(r, 4)]);
  await client.query("COMMIT");
  // What autovacuum does on a live database: statistics and the visibility map (index-only scans).
  await client.query("VACUUM ANALYZE");
  await client.end();
}

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
  const s = generate();
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
