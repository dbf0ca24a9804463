/**
 * Sample events arrive only with a brand-new embedded database, dated from today.
 */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { testProvider } from "../support/database.ts";

describe.skipIf(testProvider === "postgres")("sample events", () => {
  it("are added to a new embedded database, in the future, marked as samples; not again on reopen", async () => {
    const file = join(resolve(".tmp/test-db"), `events-seed-${process.pid}-${Date.now()}.db`);
    const config = loadConfig({ DATABASE_URL: `file:${file}`, LOG_LEVEL: "silent" });
    const now = new Date();
    try {
      const app = await createApp(config, { seedIfNew: true, log: pino({ level: "silent" }) });
      const events = await app.deps.db.event.findMany();
      expect(events).toHaveLength(3);
      expect(events.every((e) => e.isSample && e.status === "published" && e.startsAt > now)).toBe(true);
      expect(events.map((e) => e.venueAddress).join(" ")).toMatch(/Sialkot.*Lahore.*Karachi|Karachi.*Lahore.*Sialkot/s);
      await app.close();
      const again = await createApp(config, { seedIfNew: true, log: pino({ level: "silent" }) });
      expect(await again.deps.db.event.count()).toBe(3);
      await again.close();
    } finally {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    }
  });
});
