#!/usr/bin/env node
// `npm test`: type-check, then the whole suite on SQLite, then again on PostgreSQL.
// PostgreSQL comes from TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
// each run uses its own schemas, so runs never collide. Extra arguments go to vitest.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import pg from "pg";

const extra = process.argv.slice(2);
const run = (cmd, args, env = {}) => {
  console.log(`\n$ ${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return r.status ?? 1;
};

async function postgresReachable() {
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test", connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    console.error(`PostgreSQL unreachable: ${error.message}`);
    return false;
  }
}

// Each vitest run also writes a JSON report, so the closing line can count every test.
mkdirSync(".tmp", { recursive: true });
const counts = { passed: 0, failed: 0, skipped: 0 };
const vitest = (db) => {
  const report = `.tmp/vitest-${db}.json`;
  const status = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${report}`, ...extra], { TEST_DATABASE: db });
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, "utf8"));
    counts.passed += r.numPassedTests;
    counts.failed += r.numFailedTests;
    counts.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
  return status;
};

const failures = [];
if (run("npx", ["tsc", "--noEmit"])) failures.push("typecheck");
if (vitest("sqlite")) failures.push("tests on SQLite");
if (process.env.TEST_SKIP_POSTGRES === "1") console.log("\nTEST_SKIP_POSTGRES=1: PostgreSQL run skipped.");
else if (!(await postgresReachable())) failures.push("PostgreSQL not reachable (set TEST_SKIP_POSTGRES=1 to skip it)");
else if (vitest("postgres")) failures.push("tests on PostgreSQL");

console.log(failures.length ? `\nFAILED: ${failures.join(", ")}` : "\nAll checks passed (typecheck, SQLite, PostgreSQL).");
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failures.length ? 1 : 0);
