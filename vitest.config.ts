import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Vitest's default is cores − 1: one worker on CI's two cores, and the suite is mostly
    // waiting (child processes, fake servers, retries, pacing). Two at a time cut a 29-file
    // sample from 106 s to 65 s; three (46 s) made shared-limits' timing checks fail on
    // PostgreSQL (docs/decisions/0903-test-workers.md).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file opens its own migrated database (test/support/database.ts).
    globalSetup: ["test/support/global-setup.ts"],
  },
});
