import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nearestPartners } from "../../src/features/partners/directory.ts";
import { exportPartners, importPartners, parsePartnerCsv } from "../../src/features/partners/repository.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const rowsOf = (text: string) => {
  const parsed = parsePartnerCsv(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rows;
};
const exportText = async (db: TestDatabase) => {
  let out = "";
  await exportPartners(db.prisma, (c) => (out += c));
  return out;
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.cleanup());

describe("validation", () => {
  // That such a file is refused as a whole (nothing written) is the CLI's test, partners/cli.test.ts.
  it("reports every bad row by row number and field, and gives no rows to import", async () => {
    const parsed = parsePartnerCsv(fixture("bad.csv"));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const got = parsed.errors.map((e) => `${e.row}:${e.field}`);
    expect(got).toEqual(["3:latitude", "4:name", "5:phone", "5:telegram", "6:name"]);
    expect(parsed.errors.find((e) => e.row === 6)?.message).toMatch(/duplicate of row 2/);
    expect("rows" in parsed).toBe(false);
  });

  it("rejects a file with missing or unknown columns", () => {
    const parsed = parsePartnerCsv("name,city,lat\nA,B,1\n");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]).toMatchObject({ row: 1, field: "header" });
  });
});

describe("import", () => {
  it("creates the rows normalised, then a second import of the same file changes nothing", async () => {
    const first = await importPartners(db.prisma, db.provider, rowsOf(fixture("partners.csv")));
    expect(first).toEqual({ rows: 7, created: 7, updated: 0, unchanged: 0 });
    const alpha = await db.prisma.partner.findUniqueOrThrow({ where: { name: "Alpha Sialkot Agency" } });
    expect(alpha).toMatchObject({ whatsapp: "+923000000001", telegram: "alpha_sialkot", categories: "surgical instruments;sports goods", active: true, approved: true, isSample: false });
    expect(alpha.code).toMatch(/^[a-z0-9]+$/);
    const before = await db.prisma.partner.findMany({ orderBy: { id: "asc" } });

    const second = await importPartners(db.prisma, db.provider, rowsOf(fixture("partners.csv")));
    expect(second).toEqual({ rows: 7, created: 0, updated: 0, unchanged: 7 });
    expect(await db.prisma.partner.findMany({ orderBy: { id: "asc" } })).toEqual(before);
  });

  it("updates changed rows by name (text, numbers, emptied fields) and keeps their code", async () => {
    const changed = fixture("partners.csv").replace("Main Bazaar", "New Bazaar").replace("31.558,74.3507,+92 42 0000003,+923000000003,charlie_lhr", "31.5601,74.3507,+92 42 0000003,+923000000003,");
    const before = await db.prisma.partner.findUniqueOrThrow({ where: { name: "Bravo Daska Agency" } });
    expect(await importPartners(db.prisma, db.provider, rowsOf(changed))).toEqual({ rows: 7, created: 0, updated: 2, unchanged: 5 });
    const after = await db.prisma.partner.findUniqueOrThrow({ where: { name: "Bravo Daska Agency" } });
    expect(after.address).toBe("New Bazaar");
    expect(after.code).toBe(before.code);
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    const charlie = await db.prisma.partner.findUniqueOrThrow({ where: { name: "Charlie Lahore Agency" } });
    expect(charlie).toMatchObject({ latitude: 31.5601, telegram: null, whatsapp: "+923000000003" });
    // Back to the original file for the next tests.
    expect(await importPartners(db.prisma, db.provider, rowsOf(fixture("partners.csv")))).toMatchObject({ updated: 2 });
  });

  it("exports the same columns, and importing the export changes nothing", async () => {
    const csv = await exportText(db);
    expect(csv.split("\n")[0]).toBe("name,city,address,latitude,longitude,phone,whatsapp,telegram,categories,languages");
    expect(csv).toContain('"Mall Road, ""Block"" 2"');
    const again = await importPartners(db.prisma, db.provider, rowsOf(csv));
    expect(again).toEqual({ rows: 7, created: 0, updated: 0, unchanged: 7 });
    expect(await exportText(db)).toBe(csv);
  });
});

describe("api", () => {
  it("finds partners by name (any case) and by code", async () => {
    const { findPartnerByCode, findPartnerByName } = await import("../../src/features/partners/api.ts");
    const alpha = await findPartnerByName(db.prisma, "alpha SIALKOT agency");
    expect(alpha?.name).toBe("Alpha Sialkot Agency");
    expect((await findPartnerByCode(db.prisma, alpha!.code.toUpperCase()))?.id).toBe(alpha!.id);
    expect(await findPartnerByName(db.prisma, "Nobody")).toBeNull();
    expect(await findPartnerByCode(db.prisma, "no such code!")).toBeNull();
  });
});

describe("nearest", () => {
  it("returns active, approved partners nearest first, with a category filter", async () => {
    const near = await nearestPartners(db.prisma, { latitude: 32.45, longitude: 74.5, limit: 3 });
    expect(near.map((p) => p.name)).toEqual(["Alpha Sialkot Agency", "Bravo Daska Agency", "Echo Gujranwala Agency"]);
    expect(near[0]!.distanceKm).toBeGreaterThan(3);
    expect(near[0]!.distanceKm).toBeLessThan(7);
    const surgical = await nearestPartners(db.prisma, { latitude: 31.5, longitude: 74.3, limit: 3, category: "surgical instruments" });
    expect(surgical.map((p) => p.name)).toEqual(["Bravo Daska Agency", "Alpha Sialkot Agency"]);
  });

  it("stops offering a partner once it is inactive", async () => {
    await db.prisma.partner.update({ where: { name: "Alpha Sialkot Agency" }, data: { active: false } });
    const { invalidateDirectory } = await import("../../src/features/partners/directory.ts");
    invalidateDirectory(db.prisma);
    const near = await nearestPartners(db.prisma, { latitude: 32.4927, longitude: 74.5313, limit: 1 });
    expect(near[0]!.name).toBe("Bravo Daska Agency");
    await db.prisma.partner.update({ where: { name: "Alpha Sialkot Agency" }, data: { active: true } });
    invalidateDirectory(db.prisma);
  });
});

describe("spreadsheet safety", () => {
  const HEADER = "name,city,address,latitude,longitude,phone,whatsapp,telegram,categories,languages";
  const risky = [
    HEADER,
    `"=HYPERLINK(""http://evil.example"",""Click"")",+cmd,@sum(1),31.5,74.3,,,,-2+3;=1+1,en`,
    `"Bell\u0007 Agency\u0000",Lahore,"Tab\there",31.6,74.4,,,,,ur`,
    // As a spreadsheet reads it: one leading apostrophe before = + - @ only marks text.
    `''=Quoted Agency,''@Lahore,'plain,31.7,74.5,,,,,en`,
  ].join("\n");

  it("exports cells a spreadsheet would run as formulas with a leading apostrophe and no raw control characters", async () => {
    const local = await createTestDatabase();
    try {
      await importPartners(local.prisma, local.provider, rowsOf(risky));
      const csv = await exportText(local);
      expect(csv).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
      const lines = csv.trim().split("\n");
      expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""Click"")",'+cmd,'@sum(1),31.5,74.3,,,,'-2+3;=1+1,en`);
      expect(lines[2]).toBe("Bell Agency,Lahore,Tab here,31.6,74.4,,,,,ur");
      // A value that really starts with an apostrophe before = + - @ keeps it (one more on export, one less on import).
      expect(lines[3]).toBe("''=Quoted Agency,''@Lahore,'plain,31.7,74.5,,,,,en");
    } finally {
      await local.cleanup();
    }
  });

  it("imports its own export back unchanged, undoing the apostrophes", async () => {
    const local = await createTestDatabase();
    try {
      await importPartners(local.prisma, local.provider, rowsOf(risky));
      const stored = await local.prisma.partner.findMany({ orderBy: { id: "asc" } });
      expect(stored.map((p) => [p.name, p.city, p.address, p.categories])).toEqual([
        ['=HYPERLINK("http://evil.example","Click")', "+cmd", "@sum(1)", "-2+3;=1+1"],
        ["Bell Agency", "Lahore", "Tab here", ""],
        ["'=Quoted Agency", "'@Lahore", "'plain", ""],
      ]);
      const csv = await exportText(local);
      expect(await importPartners(local.prisma, local.provider, rowsOf(csv))).toEqual({ rows: 3, created: 0, updated: 0, unchanged: 3 });
      expect(await local.prisma.partner.findMany({ orderBy: { id: "asc" } })).toEqual(stored);
      expect(await exportText(local)).toBe(csv);
    } finally {
      await local.cleanup();
    }
  });
});
