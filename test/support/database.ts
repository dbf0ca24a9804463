/**
 * A real, migrated database for one test file: a fresh SQLite file, or a fresh PostgreSQL
 * schema when TEST_DATABASE=postgres. Nothing is mocked; `cleanup` removes it.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadTestSettings } from "../../src/config.ts";
import { dropPostgresSchema, openDatabase, type Database, type DatabaseTimeouts } from "../../src/db/client.ts";

/** A test database and how to remove it. */
export interface TestDatabase extends Database {
  url: string;
  cleanup(): Promise<void>;
}

const settings = loadTestSettings();

/** Which provider this run tests. */
export const testProvider = settings.TEST_DATABASE;

/** Opens a new, empty, migrated database (`timeouts`: shorter waits, for fault tests). */
export async function createTestDatabase(options: { timeouts?: Partial<DatabaseTimeouts> } = {}): Promise<TestDatabase> {
  const { timeouts } = options;
  const id = `${settings.TEST_RUN_ID}_${settings.VITEST_POOL_ID}_${randomBytes(3).toString("hex")}`;
  if (settings.TEST_DATABASE === "postgres") {
    const schema = `test_${id}`;
    const database = await openDatabase({ url: settings.TEST_POSTGRES_URL, schema, migrate: true, poolSize: 5, timeouts });
    const url = `${settings.TEST_POSTGRES_URL}?schema=${schema}`;
    return {
      ...database,
      url,
      async cleanup() {
        await database.close();
        await dropPostgresSchema(settings.TEST_POSTGRES_URL, schema);
      },
    };
  }
  const dir = resolve(".tmp/test-db");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${id}.db`);
  const url = `file:${file}`;
  const database = await openDatabase({ url, migrate: true, timeouts });
  return {
    ...database,
    url,
    async cleanup() {
      await database.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    },
  };
}
