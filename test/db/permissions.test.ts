/**
 * The SQLite database holds WhatsApp session keys and sellers' phone numbers and
 * locations: its file (and -wal, -shm) is readable by its owner only, its folder too.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { testProvider } from "../support/database.ts";

const root = mkdtempSync(join(tmpdir(), "sqlite-perms-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe.runIf(testProvider === "sqlite")("SQLite file permissions", () => {
  it("creates the folder 0700 and the database, -wal and -shm 0600", async () => {
    const dir = join(root, "fresh", "data");
    const file = join(dir, "bot.db");
    const database = await openDatabase({ url: `file:${file}` });
    await database.prisma.user.create({ data: {} });
    expect(mode(dir).toString(8)).toBe("700");
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(f), f).toBe(true);
      expect(mode(f).toString(8), f).toBe("600");
    }
    await database.close();
  });

  it("closes up a database file that an older version left world-readable", async () => {
    const dir = join(root, "old");
    mkdirSync(dir);
    const file = join(dir, "bot.db");
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    const database = await openDatabase({ url: `file:${file}` });
    await database.prisma.user.create({ data: {} });
    expect(mode(file).toString(8)).toBe("600");
    expect(mode(`${file}-wal`).toString(8)).toBe("600");
    await database.close();
  });
});
