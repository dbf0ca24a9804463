/**
 * `npm run bench:dashboard [-- --sellers N --events N --db sqlite|postgres|both --n N]`
 * The dashboard's targets on the data of bench:progress (100,000 sellers, 1,000,000
 * progress events, ~333 partners, the largest with ~3,690 sellers):
 *   - overview of the largest partner: server time p95 ≤ 100 ms, SQLite and PostgreSQL;
 *   - admin overview over every seller: p95 ≤ 500 ms;
 *   - page weight of the overview ≤ 300 KB, scripts included.
 * Server time = the Hono app answering a signed-in GET in this process (routing, session
 * and scope checks, queries, rendering, reading the body), without the network. Also
 * printed: the overview queries one by one, and the summary API. Prints figures only.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import pino from "pino";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { dropPostgresSchema, openDatabase, type Database } from "../src/db/client.ts";
import { issueLoginLink, type Grant } from "../src/features/dashboard/auth.ts";
import { DEFAULT_STUCK_DAYS } from "../src/features/dashboard/overview.ts";
import { newSellersPerWeek } from "../src/features/dashboard/queries.ts";
import { computeStageDays, saveStageDays } from "../src/features/dashboard/stage-days.ts";
import { createDashboardApp } from "../src/features/dashboard/web/app.ts";
import { stageCounts, stuckCount, total, type Scope } from "../src/features/progress/queries.ts";
import { loadStages } from "../src/features/progress/stages.ts";
import { generate, NOW, PG_URL, seedPostgres, seedSqlite, type Seed } from "./progress-data.ts";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : def);
const SELLERS = Number(arg("sellers", "100000"));
const EVENTS = Number(arg("events", "1000000"));
const WHICH = arg("db", "both");
const N = Number(arg("n", "100"));
const stages = loadStages("content");

type DashboardApp = ReturnType<typeof createDashboardApp>;

async function time(label: string, iterations: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(5, iterations); i++) await fn(i); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]!.toFixed(1).padStart(7);
  console.log(`${label.padEnd(44)} p50 ${q(0.5)} ms   p95 ${q(0.95)} ms   p99 ${q(0.99)} ms   (n=${iterations})`);
}

/** Signs in through a login link, as a browser would; returns the cookie. */
async function signIn(app: App, web: DashboardApp, grant: Grant): Promise<string> {
  const url = await issueLoginLink(app.deps.db, app.deps.config, { grant, userId: null, language: "en" }, NOW);
  const res = await web.request(`/dashboard/login${new URL(url).search}`);
  const cookie = res.headers.get("set-cookie");
  if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie.split(";")[0]!;
}

async function get(web: DashboardApp, path: string, cookie: string, gzip = false): Promise<{ status: number; bytes: number }> {
  const res = await web.request(path, { headers: { cookie, ...(gzip ? { "accept-encoding": "gzip" } : {}) } });
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return { status: res.status, bytes: body.length };
}

async function pageWeight(web: DashboardApp, cookie: string): Promise<void> {
  const html = await (await web.request("/dashboard", { headers: { cookie } })).text();
  const assets = [...html.matchAll(/(?:href|src)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  const rows: Array<[string, number, number]> = [["overview HTML", Buffer.byteLength(html), gzipSync(html).length]];
  for (const path of assets) {
    const body = Buffer.from(await (await web.request(path)).arrayBuffer());
    const served = (await get(web, path, cookie, true)).bytes; // what the compress middleware sends
    rows.push([path.replace(/\?.*/, ""), body.length, served]);
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  console.log("page weight of the overview (uncompressed / as sent with gzip):");
  for (const [name, raw, gz] of rows) console.log(`  ${name.padEnd(42)} ${kb(raw)} ${kb(gz)}`);
  console.log(`  ${"total".padEnd(42)} ${kb(rows.reduce((s, r) => s + r[1], 0))} ${kb(rows.reduce((s, r) => s + r[2], 0))}   (target ≤ 300 KB)`);
}

async function measure(name: string, database: Database, s: Seed): Promise<void> {
  const config = loadConfig({ DATABASE_URL: database.provider === "sqlite" ? "file:./unused.db" : PG_URL, LOG_LEVEL: "silent" });
  const app = await createApp(config, { database, log: pino({ level: "silent" }), now: () => NOW });
  const web = createDashboardApp(app.deps, { stages });
  const db = app.deps.db;
  const provider = database.provider;
  const largest = 1;
  const partnerSize = s.assignments.filter(([, p]) => p === largest).length;
  const partner = await signIn(app, web, { role: "partner", partnerId: largest });
  const admin = await signIn(app, web, { role: "admin" });
  // What the running job leaves in the table (the overview reads it; decision 0802).
  await saveStageDays(db, await computeStageDays(db, provider), NOW, true);
  const summary = (await (await web.request("/dashboard/api/summary", { headers: { cookie: partner } })).json()) as { sellers: number };
  if (summary.sellers !== partnerSize) throw new Error(`${name}: summary says ${summary.sellers} sellers, the data has ${partnerSize}`);
  console.log(`\n${name}: ${s.users.length} sellers, ${s.events.length} events, ${s.partners.length} partners; largest partner: ${partnerSize} sellers`);
  await time("overview, largest partner (server time)", N, () => get(web, "/dashboard", partner));
  await time("overview, admin, all sellers (server time)", Math.max(10, Math.round(N / 3)), () => get(web, "/dashboard", admin));
  await time("api/summary, largest partner", N, () => get(web, "/dashboard/api/summary", partner));
  await time("api/summary, admin", Math.max(10, Math.round(N / 3)), () => get(web, "/dashboard/api/summary", admin));
  await time("stuck list, largest partner", Math.max(10, Math.round(N / 3)), () => get(web, "/dashboard/stuck", partner));
  const cutoff = new Date(NOW.getTime() - DEFAULT_STUCK_DAYS * 86_400_000);
  console.log("the overview's parts, one by one:");
  for (const [label, scope] of [["largest partner", { kind: "partner", partnerId: largest }], ["admin", { kind: "admin" }]] as Array<[string, Scope]>) {
    await time(`  stage counts (${label})`, 20, () => stageCounts(db, scope));
    await time(`  stuck count (${label})`, 20, () => stuckCount(db, scope, cutoff, stages.list.length));
    await time(`  new sellers per week (${label})`, 20, () => newSellersPerWeek(db, provider, scope, NOW));
  }
  console.log("median days to each stage (stored by the dashboard.stage-days job; read above):");
  await time("  computed on the spot, largest partner", 10, () => computeStageDays(db, provider, largest));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  await time("  the job's full round (every partner + all)", 3, async () => saveStageDays(db, await computeStageDays(db, provider), NOW, true));
  loop.disable();
  console.log(`  longest event-loop stall during those rounds: ${(loop.max / 1e6).toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms)`);
  await pageWeight(web, partner);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const s = generate(stages, SELLERS, EVENTS);
  console.log(`generated ${s.users.length} sellers and ${s.events.length} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (WHICH === "sqlite" || WHICH === "both") {
    const dir = resolve(".tmp/bench");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `dashboard-${process.pid}.db`);
    const database = await openDatabase({ url: `file:${file}`, migrate: true });
    try {
      seedSqlite(file, s);
      await measure("SQLite", database, s);
    } finally {
      await database.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    }
  }
  if (WHICH === "postgres" || WHICH === "both") {
    const schema = `bench_dashboard_${process.pid}`;
    // The pool size the app uses by default: the overview's queries run side by side.
    const database = await openDatabase({ url: PG_URL, schema, migrate: true });
    try {
      await seedPostgres(schema, s);
      await measure("PostgreSQL", database, s);
    } finally {
      await database.close();
      await dropPostgresSchema(PG_URL, schema);
    }
  }
  console.log(`\nload average: ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
