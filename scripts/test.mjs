#!/usr/bin/env node
// `npm test`: type-check, then the whole suite on SQLite, then on PostgreSQL the test files
// that open the test database (scripts/database-tests.mjs: the rest gives the same result
// on both, and running it twice only costs CI time).
// PostgreSQL comes from TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
// each run uses its own schemas, so runs never collide. Extra arguments go to vitest.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { databaseTestFiles } from "./database-tests.mjs";
import { summaryLines } from "./test-summary.mjs";

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
const vitest = (db, files = []) => {
  const report = `.tmp/vitest-${db}.json`;
  const status = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${report}`, ...extra, ...files], { TEST_DATABASE: db });
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, "utf8"));
    counts.passed += r.numPassedTests;
    counts.failed += r.numFailedTests;
    counts.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
  return status;
};

const failures = [];
const ran = [];
const skipped = [];
const check = (name, status, failure) => {
  ran.push(name);
  if (status) failures.push(failure);
};
check("typecheck", run("npx", ["tsc", "--noEmit"]), "typecheck");
// The tests that spawn bin/seller-bot.js run the compiled build; after an edit to src/ it would
// compile first and say so on stderr, in every such test at once. One build up front (a no-op
// when src/ is unchanged) keeps their output clean.
check("build", run("node", ["scripts/build.mjs"]), "build");
check("SQLite", vitest("sqlite"), "tests on SQLite");
if (process.env.TEST_SKIP_POSTGRES === "1") skipped.push("PostgreSQL (TEST_SKIP_POSTGRES=1)");
else if (!(await postgresReachable())) {
  skipped.push("PostgreSQL (unreachable)");
  failures.push("PostgreSQL not reachable (set TEST_SKIP_POSTGRES=1 to skip it)");
} else {
  // With filters of your own (`npm test -- test/faq`), PostgreSQL runs what they select.
  const filtered = extra.some((arg) => !arg.startsWith("-"));
  check("PostgreSQL", vitest("postgres", filtered ? [] : databaseTestFiles()), "tests on PostgreSQL");
}

console.log("");
for (const line of summaryLines({ ran, skipped, failures, counts, filter: extra })) console.log(line);
process.exit(failures.length ? 1 : 0);
