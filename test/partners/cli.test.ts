/**
 * The `partners` CLI contract (../shared/design.md), run as a user would: spawning
 * `node bin/seller-bot.js partners …` against a temporary database.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

let db: TestDatabase;
const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["bin/seller-bot.js", "partners", ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "silent" } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.cleanup());

// Each spawn starts tsx and opens the database: seconds on a loaded machine.
describe("seller-bot partners (spawned)", { timeout: 180_000 }, () => {
  it("rejects a file with bad rows: each row and field on stderr, exit 2, nothing written", async () => {
    const r = await run(["import", join(FIXTURES, "bad.csv")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^row 3, latitude: /m);
    expect(r.stderr).toMatch(/^row 4, name: /m);
    expect(r.stderr).toMatch(/^row 5, phone: /m);
    expect(r.stderr).toMatch(/^row 6, name: duplicate of row 2/m);
    expect(r.stderr).toMatch(/nothing was imported/);
    expect(await db.prisma.partner.count()).toBe(0);
  });

  it("imports, then importing the same file again changes nothing; no sample data is added", async () => {
    const first = await run(["import", join(FIXTURES, "partners.csv")]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/7 row\(s\): 7 created, 0 updated, 0 unchanged/);
    const second = await run(["import", join(FIXTURES, "partners.csv"), "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ rows: 7, created: 0, updated: 0, unchanged: 7 });
    expect(await db.prisma.partner.count()).toBe(7);
    expect(await db.prisma.partner.count({ where: { isSample: true } })).toBe(0);
  });

  it("exports the same columns, and the export imports back unchanged", async () => {
    const r = await run(["export"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("name,city,address,latitude,longitude,phone,whatsapp,telegram,categories,languages");
    expect(lines).toHaveLength(8);
    const file = join(mkdtempSync(join(tmpdir(), "partners-")), "export.csv");
    writeFileSync(file, r.stdout);
    expect((await run(["import", file])).stdout).toMatch(/0 created, 0 updated, 7 unchanged/);
  });

  it("prints the nearest partners as JSON, by point and by place in three forms", async () => {
    const byPoint = await run(["nearest", "--json", "--lat", "32.33", "--lon", "74.35", "--limit", "2"]);
    expect(byPoint.code).toBe(0);
    const list = JSON.parse(byPoint.stdout) as Array<{ name: string; city: string; distanceKm: number; whatsappLink: string | null }>;
    expect(list.map((p) => p.name)).toEqual(["Bravo Daska Agency", "Echo Gujranwala Agency"]);
    expect(list[0]).toMatchObject({ city: "Daska", whatsappLink: "https://wa.me/923000000002" });
    expect(list[0]!.distanceKm).toBeLessThan(2);
    expect(list[1]!.distanceKm).toBeGreaterThan(list[0]!.distanceKm);
    const places = ["Sialkot", "sailkot", "سیالکوٹ"];
    const results = await Promise.all([...places.map((place) => run(["nearest", "--json", "--place", place])), run(["nearest", "--json", "--place", "gilgit", "--limit", "1"])]);
    places.forEach((place, i) => {
      const names = (JSON.parse(results[i]!.stdout) as Array<{ name: string }>).map((p) => p.name);
      expect(names, place).toEqual(["Alpha Sialkot Agency", "Bravo Daska Agency", "Echo Gujranwala Agency"]);
    });
    expect(JSON.parse(results[3]!.stdout)[0].name).toBe("Golf Gilgit Agency");
  });

  it("fails clearly on bad usage and unknown places", async () => {
    const [unknown, half, noJson, missing, bad] = await Promise.all([
      run(["nearest", "--json", "--place", "Qwxzt"]),
      run(["nearest", "--json", "--lat", "30"]),
      run(["nearest", "--lat", "30", "--lon", "70"]), // --json is required
      run(["import", "/no/such/file.csv"]),
      run(["frobnicate"]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown place "Qwxzt"/);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--lat and --lon go together/);
    expect(noJson.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read/);
    expect(bad.code).toBe(2);
  });

  it("approves a bot account as a partner member", async () => {
    const user = await db.prisma.user.create({ data: { identities: { create: { channel: "telegram", externalId: "4242" } } } });
    const r = await run(["approve", "Alpha Sialkot Agency", "--user", "telegram:4242"]);
    expect(r.code).toBe(0);
    const member = await db.prisma.partnerMember.findUniqueOrThrow({ where: { userId: user.id } });
    expect(member.status).toBe("approved");
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("partner");
    expect((await run(["approve", "Alpha Sialkot Agency", "--user", "telegram:999"])).stderr).toMatch(/must message the bot first/);
  });
});

describe("partners nearest arguments", () => {
  it.each([
    [["--lat", "999", "--lon", "74"], /^--lat: must be a number between -90 and 90$/m],
    [["--lat", "1e308", "--lon", "74"], /^--lat: must be a number between -90 and 90$/m],
    [["--lat", "abc", "--lon", "74"], /^--lat: must be a number between -90 and 90$/m],
    [["--lat", "32", "--lon", "-200"], /^--lon: must be a number between -180 and 180$/m],
    [["--lat", "32", "--lon", "74", "--limit", "0"], /^--limit: must be a whole number from 1 to 1000$/m],
  ])("%j says what range is expected", async (args, message) => {
    const r = await runCliInProcess(db.url, ["partners", "nearest", "--json", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
