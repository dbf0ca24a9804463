#!/usr/bin/env node
// `npm run db:migration -- NAME`: writes the next migration for SQLite and PostgreSQL.
// Each migration folder keeps a snapshot of the models it produced; the next migration is
// the diff from that snapshot to the current models. Why not `prisma migrate dev`: it needs
// a shadow database and failed here with the JS engine (../shared/notes/prisma-offline.md).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// --reinit rewrites everything as one "init" migration: only for the time before the first
// release, when no database anywhere has applied the old ones.
const reinit = process.argv.includes("--reinit");
const name = reinit ? "init" : (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("usage: npm run db:migration -- NAME");
  process.exit(2);
}
const stamp = reinit ? "00000000000000" : new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const targets = [
  { provider: "sqlite", schema: "prisma/schema", url: "file:./unused.db" },
  { provider: "postgres", schema: "prisma/postgres/schema", url: process.env.MIGRATION_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test" },
];

// Two people (or agents) regenerating at once would interleave; a lock folder keeps them apart.
const lock = "prisma/migrations/.lock";
mkdirSync("prisma/migrations", { recursive: true });
for (let waited = 0; ; waited += 250) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    if (waited > 120_000) throw new Error(`${lock} held for 2 minutes; remove it if no migration is running`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
try {
  execFileSync(process.execPath, ["scripts/prisma-schemas.mjs"], { stdio: "inherit" });
  // Compute every provider's SQL first; write only when all succeeded.
  const results = targets.map(diff);
  for (const r of results) write(r);
} finally {
  rmSync(lock, { recursive: true, force: true });
}

function diff({ provider, schema, url }) {
  const dir = join("prisma/migrations", provider);
  mkdirSync(dir, { recursive: true });
  const current = readdirSync(schema).filter((f) => f.endsWith(".prisma")).sort()
    .map((f) => readFileSync(join(schema, f), "utf8")).join("\n");
  const currentFile = join(dir, ".current.prisma");
  writeFileSync(currentFile, current);
  const previous = reinit ? undefined : readdirSync(dir).filter((d) => existsSync(join(dir, d, "schema.snapshot.prisma"))).sort().at(-1);
  const from = previous ? ["--from-schema-datamodel", join(dir, previous, "schema.snapshot.prisma")] : ["--from-empty"];
  try {
    const sql = execFileSync(process.execPath,
      ["node_modules/prisma/build/index.js", "migrate", "diff", ...from, "--to-schema-datamodel", currentFile, "--script"],
      { env: { ...process.env, PRISMA_SCHEMA: schema, DATABASE_URL: url }, encoding: "utf8" });
    return { provider, dir, sql, current };
  } finally {
    rmSync(currentFile, { force: true });
  }
}

function write({ provider, dir, sql, current }) {
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.log(`${provider}: no changes`);
    return;
  }
  if (reinit) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const out = join(dir, `${stamp}_${name}`);
  mkdirSync(out);
  writeFileSync(join(out, "migration.sql"), sql);
  writeFileSync(join(out, "schema.snapshot.prisma"), current);
  console.log(`${provider}: wrote ${out}/migration.sql`);
}
