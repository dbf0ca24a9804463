/**
 * The data of bench:progress, shared with bench:dashboard: N sellers with their progress
 * history (undo/re-tick pairs fill up to the event count), ~300 sellers per partner plus one
 * large partner (3% of sellers), cities, and the SellerProgress rows the feature keeps.
 * Deterministic, so both databases (and both benchmarks) get the same data.
 */
import Sqlite from "better-sqlite3";
import pg from "pg";
import type { Stages } from "../src/features/progress/stages.ts";
import { fold, stateFields } from "../src/features/progress/store.ts";

/** The benchmarks' clock: every date is before it. */
export const NOW = new Date("2026-11-27T12:00:00Z");
export const CITIES = ["Sialkot", "Lahore", "Faisalabad", "Gujranwala", "Karachi", "Multan", "Peshawar", "Islamabad"];
export const PG_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

// Deterministic pseudo-random numbers, so both databases get the same data.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

export interface Seed {
  users: Array<[id: number, createdAt: Date, name: string]>;
  partners: Array<[id: number, name: string, city: string]>;
  assignments: Array<[sellerId: number, partnerId: number, at: Date]>;
  profiles: Array<[userId: number, city: string]>;
  events: Array<[sellerId: number, stageId: string, action: string, at: Date]>;
  progress: Array<[sellerId: number, stages: string, reached: number, current: number, last: Date]>;
}

/** Generates `sellers` sellers and (about) `events` progress events. */
export function generate(stages: Stages, SELLERS: number, EVENTS: number): Seed {
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

/** Writes the data into a migrated, empty SQLite file. */
export function seedSqlite(file: string, s: Seed): void {
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

/** Writes the data into a migrated, empty PostgreSQL schema. */
export async function seedPostgres(schema: string, s: Seed): Promise<void> {
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
