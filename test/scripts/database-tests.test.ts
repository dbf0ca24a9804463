/**
 * `npm test` runs on PostgreSQL only the test files that open the test database. Missing one
 * would hide a PostgreSQL failure, so the selection is checked on a small test tree of its
 * own: a direct import, a helper in between, a child process named by its path, and files
 * that never reach the database.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { databaseTestFiles } from "../../scripts/database-tests.mjs";

const root = mkdtempSync(join(tmpdir(), "db-tests-"));
const tree: Record<string, string> = {
  "test/support/database.ts": "export const createTestDatabase = () => {};",
  "test/support/app.ts": 'import { createTestDatabase } from "./database.ts";',
  "test/a/direct.test.ts": 'import { createTestDatabase } from "../support/database.ts";',
  "test/a/helpers.ts": 'import { createTestApp } from "../support/app.ts";',
  "test/a/through-helper.test.ts": 'import { seed } from "./helpers.ts";',
  "test/b/child.ts": 'import "../support/app.ts";',
  "test/b/spawns.test.ts": 'spawn(process.execPath, ["--import", "tsx", "test/b/child.ts"]);',
  // Built, so that this file itself does not read as one that uses the database.
  "test/b/reads-env.test.ts": `if (process.env.${"TEST_"}DATABASE === 'postgres') {}`,
  "test/c/pure.test.ts": 'import { understand } from "../../src/understanding/index.ts";',
  "test/c/pure-helper.ts": "export const x = 1;",
  "test/c/pure-with-helper.test.ts": 'import { x } from "./pure-helper.ts";',
};
for (const [path, source] of Object.entries(tree)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), source);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = (databaseTestFiles as (root: string) => string[])(root);

describe("database test selection", () => {
  it("takes files that import the test database directly, through helpers, or in a spawned child", () => {
    expect(files).toEqual(["test/a/direct.test.ts", "test/a/through-helper.test.ts", "test/b/reads-env.test.ts", "test/b/spawns.test.ts"]);
  });

  it("leaves out files that never reach it", () => {
    expect(files).not.toContain("test/c/pure.test.ts");
    expect(files).not.toContain("test/c/pure-with-helper.test.ts");
  });
});
