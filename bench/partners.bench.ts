/**
 * `npm run bench:partners`: the partner directory's targets (issue 4).
 * 1. Nearest 3 among 100,000 partners: p50/p99 per query of the k-d tree, against a
 *    brute-force scan of the same points in the same run (target p99 ≤ 2 ms), plus the
 *    full `nearestPartners()` path (directory loaded from a database) and the index build.
 * 2. Importing 10,000 CSV rows (parse + validate + one transaction): fresh, again with the
 *    same file (no changes), and with every row changed, on SQLite and on PostgreSQL
 *    (target ≤ 10 s each).
 *
 *   npm run bench:partners                       # everything
 *   npm run bench:partners -- 20000 2000          # fewer partners / import rows
 * PostgreSQL: postgresql://postgres@127.0.0.1:5432/test, in a schema of its own, dropped after.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropPostgresSchema, openDatabase, type Database } from "../src/db/client.ts";
import { formatCsvLine } from "../src/features/partners/csv.ts";
import { invalidateDirectory, nearestPartners } from "../src/features/partners/directory.ts";
import { importPartners, parsePartnerCsv } from "../src/features/partners/repository.ts";
import { PARTNER_COLUMNS } from "../src/features/partners/rows.ts";
import { bruteForceNearest, createSpatialIndex } from "../src/features/partners/spatial-index.ts";

const PG_URL = "postgresql://postgres@127.0.0.1:5432/test";
const [partnersArg, rowsArg] = process.argv.slice(2);
const PARTNERS = Number(partnersArg ?? 100_000);
const ROWS = Number(rowsArg ?? 10_000);
const QUERIES = 20_000;
const BRUTE_QUERIES = 300;

// mulberry32: a small deterministic PRNG, so every run measures the same data.
let seed = 12345;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const inPakistan = () => ({ latitude: 24 + rand() * 12, longitude: 61.5 + rand() * 14 });

function percentiles(ms: number[]): { p50: string; p99: string; max: string } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const f = (v: number) => `${v < 0.1 ? (v * 1000).toFixed(1) + " µs" : v.toFixed(3) + " ms"}`;
  return { p50: f(at(0.5)), p99: f(at(0.99)), max: f(at(1 - 1e-9)) };
}

function benchIndex(): void {
  const points = Array.from({ length: PARTNERS }, (_, i) => ({ id: i + 1, ...inPakistan() }));
  let t = performance.now();
  const index = createSpatialIndex(points);
  const buildMs = performance.now() - t;
  const queries = Array.from({ length: QUERIES }, inPakistan);
  for (const q of queries.slice(0, 2000)) index.nearest(q.latitude, q.longitude, 3); // warm-up (JIT)
  const tree: number[] = [];
  for (const q of queries) {
    t = performance.now();
    index.nearest(q.latitude, q.longitude, 3);
    tree.push(performance.now() - t);
  }
  const brute: number[] = [];
  let mismatches = 0;
  for (const q of queries.slice(0, BRUTE_QUERIES)) {
    t = performance.now();
    const b = bruteForceNearest(points, q.latitude, q.longitude, 3);
    brute.push(performance.now() - t);
    if (b.map((n) => n.id).join() !== index.nearest(q.latitude, q.longitude, 3).map((n) => n.id).join()) mismatches++;
  }
  const tp = percentiles(tree);
  const bp = percentiles(brute);
  console.log(`nearest 3 among ${PARTNERS.toLocaleString("en")} partners (${QUERIES.toLocaleString("en")} queries)`);
  console.log(`  k-d tree     p50 ${tp.p50}  p99 ${tp.p99}  max ${tp.max}   (build ${buildMs.toFixed(0)} ms)`);
  console.log(`  brute force  p50 ${bp.p50}  p99 ${bp.p99}  (${BRUTE_QUERIES} queries; same answers: ${mismatches === 0 ? "yes" : `NO, ${mismatches} differ`})`);
}

function csvOf(rows: number, tag: string): string {
  const lines = [PARTNER_COLUMNS.join(",")];
  for (let i = 0; i < rows; i++) {
    const { latitude, longitude } = inPakistan();
    const n = String(i).padStart(6, "0");
    lines.push(formatCsvLine([`Bench ${tag} Partner ${n}`, "Sialkot", `Plot ${i}, Bench Road`, latitude.toFixed(5), longitude.toFixed(5), `+92 000 0${n}`, `+92000${n}`, `bench_${n}`, "surgical instruments;sports goods", "en;ur"]));
  }
  return `${lines.join("\n")}\n`;
}

async function benchImport(name: string, database: Database): Promise<void> {
  const csv = csvOf(ROWS, name);
  const edited = csv.replace(/, Bench Road/g, ", Bench Road East");
  for (const [run, text] of [["fresh", csv], ["same file again", csv], ["every row changed", edited]] as const) {
    const t = performance.now();
    const parsed = parsePartnerCsv(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
    const summary = await importPartners(database.prisma, database.provider, parsed.rows);
    const ms = performance.now() - t;
    console.log(`  ${name.padEnd(10)} ${run.padEnd(18)} ${(ms / 1000).toFixed(2)} s   (${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged)`);
  }
}

/** The whole query path on a real directory: DB → memory index → partner rows. */
async function benchDirectory(database: Database): Promise<void> {
  invalidateDirectory(database.prisma);
  let t = performance.now();
  await nearestPartners(database.prisma, { latitude: 32.49, longitude: 74.53 });
  const loadMs = performance.now() - t;
  const ms: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const q = inPakistan();
    t = performance.now();
    await nearestPartners(database.prisma, { ...q, limit: 3 });
    ms.push(performance.now() - t);
  }
  const p = percentiles(ms);
  console.log(`  nearestPartners() over the ${ROWS.toLocaleString("en")} imported rows: p50 ${p.p50}  p99 ${p.p99}  (directory load ${loadMs.toFixed(0)} ms)`);
}

async function main(): Promise<void> {
  benchIndex();
  console.log(`import ${ROWS.toLocaleString("en")} rows (parse + zod + one transaction)`);
  const dir = mkdtempSync(join(tmpdir(), "bench-partners-"));
  const sqlite = await openDatabase({ url: `file:${join(dir, "bench.db")}`, migrate: true });
  try {
    await benchImport("sqlite", sqlite);
    await benchDirectory(sqlite);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const schema = `bench_partners_${process.pid}`;
  let postgres: Database | undefined;
  try {
    postgres = await openDatabase({ url: PG_URL, schema, migrate: true, poolSize: 4 });
    await benchImport("postgresql", postgres);
  } catch (error) {
    console.log(`  postgresql skipped: ${(error as Error).message}`);
  } finally {
    await postgres?.close();
    await dropPostgresSchema(PG_URL, schema).catch(() => undefined);
  }
}

await main();
