/**
 * `events create FILE.json` with files as people write them: a UTF-8 byte-order mark, a
 * date without a zone or in an impossible year, control characters in the text. Each
 * problem names the field and what is expected; nothing crashes, nothing is written.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventFileSchema } from "../../src/features/events/schema.ts";
import { runCliInProcess } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const dir = mkdtempSync(join(tmpdir(), "event-files-"));
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const event = {
  title: { en: "Sialkot Export Summit" },
  venue: { name: "Hall One", address: "Paris Road, Sialkot" },
  startsAt: "2031-12-20T10:00:00+05:00",
  endsAt: "2031-12-20T16:00:00+05:00",
  capacity: 50,
};
function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const create = (path: string) => runCliInProcess(db.url, ["events", "create", path]);

describe("events create input", () => {
  it("accepts a UTF-8 byte-order mark (Notepad writes one)", async () => {
    const r = await create(write("bom.json", `\ufeff${JSON.stringify(event)}`));
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toHaveProperty("id");
  });

  it.each([
    ["no zone", { startsAt: "2031-12-20T10:00:00", endsAt: "2031-12-20T16:00:00" }, /^.*: startsAt: expected a date-time with a zone, e\.g\. 2026-12-20T10:00:00\+05:00; endsAt: expected a date-time with a zone/],
    ["the year 275760", { endsAt: "+275760-09-13T00:00:00Z" }, /: endsAt: expected a date-time with a zone, e\.g\. 2026-12-20T10:00:00\+05:00/],
    ["a year beyond 9999 in range of Date", { startsAt: "9999-12-31T23:00:00+05:00", endsAt: "9999-12-31T23:30:00+05:00" }, /: startsAt: a year between 2000 and 2100/],
    ["a number", { startsAt: 1_900_000_000_000 }, /: startsAt: expected a date-time with a zone/],
    ["an impossible day", { startsAt: "2031-02-31T10:00:00+05:00" }, /: startsAt: expected a date-time with a zone/],
  ])("names the field for a date with %s, exit 2, nothing written", async (_what, change, message) => {
    const before = await db.prisma.event.count();
    const r = await create(write("bad-date.json", JSON.stringify({ ...event, ...change })));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/getTime|TypeError/);
    expect(await db.prisma.event.count()).toBe(before);
  });

  it("refuses control characters in the texts (a NUL breaks PostgreSQL), naming the field", async () => {
    const r = await create(write("nul.json", JSON.stringify({ ...event, title: { en: "Summit\u0000" }, venue: { ...event.venue, name: "Hall\u0007" } })));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/title\.en: must not contain control characters/);
    expect(r.stderr).toMatch(/venue\.name: must not contain control characters/);
  });

  it("refuses coordinates out of range with the range", () => {
    const parsed = eventFileSchema.safeParse({ ...event, venue: { ...event.venue, latitude: 999, longitude: 74.5 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/-90.*90/);
  });
});
