import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsv, formatCsvLine } from "../../src/features/partners/csv.ts";
import { haversineKm, loadGazetteer, readGazetteer } from "../../src/features/partners/gazetteer.ts";
import { editDistance, placeKey, skeleton } from "../../src/features/partners/place-text.ts";
import { bruteForceNearest, createSpatialIndex } from "../../src/features/partners/spatial-index.ts";

const g = loadGazetteer();
const found = (text: string) => g.find(text)?.place.name ?? null;

describe("gazetteer data", () => {
  it("has at least 300 Pakistani places, AJK and Gilgit-Baltistan included, with Urdu names for the big towns", () => {
    expect(g.places.length).toBeGreaterThanOrEqual(300);
    expect(g.places.filter((p) => p.province === "Azad Kashmir").length).toBeGreaterThanOrEqual(10);
    expect(g.places.filter((p) => p.province === "Gilgit-Baltistan").length).toBeGreaterThanOrEqual(10);
    for (const name of ["Karachi", "Lahore", "Sialkot", "Faisalabad", "Gujranwala", "Muzaffarabad", "Gilgit", "Skardu"]) {
      expect(g.places.find((p) => p.name === name)?.urdu, name).toBeTruthy();
    }
    expect(g.source).toMatch(/GeoNames/);
  });

  it("puts towns where they are (Sialkot is about 100 km from Lahore)", () => {
    const sialkot = g.places.find((p) => p.name === "Sialkot")!;
    const lahore = g.places.find((p) => p.name === "Lahore")!;
    expect(haversineKm(sialkot.latitude, sialkot.longitude, lahore.latitude, lahore.longitude)).toBeGreaterThan(95);
    expect(haversineKm(sialkot.latitude, sialkot.longitude, lahore.latitude, lahore.longitude)).toBeLessThan(115);
  });
});

describe("finding a place in free text", () => {
  it.each([
    ["Sialkot", "Sialkot"],
    ["sailkot", "Sialkot"],
    ["SIALKOT!!", "Sialkot"],
    ["سیالکوٹ", "Sialkot"],
    ["سيالكوٹ", "Sialkot"], // Arabic yeh and kaf
    ["mai daska se hun", "Daska"],
    ["میں ڈسکہ سے ہوں", "Daska"],
    ["I am in gujranwala", "Gujranwala"],
    ["gujranwalla", "Gujranwala"],
    ["faislabad", "Faisalabad"],
    ["فیصل آباد", "Faisalabad"],
    ["mera shehar multan hai", "Multan"],
    ["dera ghazi khan", "Dera Ghazi Khan"],
    ["DG Khan", "Dera Ghazi Khan"],
    ["Muzaffarābād", "Muzaffarabad"],
    ["mirpur ajk", "Mirpur"],
    ["hunza", "Hunza (Karimabad)"],
    ["ہنزہ", "Hunza (Karimabad)"],
    ["سکردو", "Skardu"],
    ["Hyderabad", "Hyderabad"],
    ["chinot", "Chiniot"],
    ["mai hub se hun", "Hub"],
    ["mai dsaka se hun", "Daska"],
    ["nearest partner in lhore", "Lahore"],
    ["سوات", "Mingora"],
  ])("%s → %s", (text, name) => {
    expect(found(text)).toBe(name);
  });

  it("prefers the prominent town of a shared name (Hyderabad in Sindh, Kotli in AJK)", () => {
    expect(g.find("Hyderabad")?.place.province).toBe("Sindh");
    expect(g.find("Kotli")?.place.province).toBe("Azad Kashmir");
  });

  it("does not see places in ordinary sentences or word-like names out of context", () => {
    for (const text of [
      "what documents do I need", "nearest partner", "how do I register my company", "I need a hub", "fill the tank", "hello",
      "mera rsvp maybe kar do", "usd ka kya rate milega", "Is my export income taxable in Pakistan", "recipe for chicken biryani",
      "mujhe kisi insaan se baat karni hai",
    ]) {
      expect(found(text), text).toBeNull();
    }
  });

  it("normalises and measures spellings", () => {
    expect(placeKey("Khairpur Mir’s")).toBe("khairpurmirs");
    expect(skeleton("sailkot")).toBe(skeleton("sialkot"));
    expect(editDistance("sailkot", "sialkot", 2)).toBe(1);
    expect(editDistance("lahore", "karachi", 2)).toBe(3);
  });
});

describe("spatial index", () => {
  it("returns exactly what a brute-force scan returns, with and without a filter", () => {
    let seed = 42;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0; // mulberry32
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const points = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, latitude: 24 + rand() * 12, longitude: 61 + rand() * 15 }));
    const index = createSpatialIndex(points);
    const filter = (id: number) => id % 7 === 0;
    for (let q = 0; q < 100; q++) {
      const [lat, lon] = [23 + rand() * 14, 60 + rand() * 17];
      expect(index.nearest(lat, lon, 3).map((n) => n.id)).toEqual(bruteForceNearest(points, lat, lon, 3).map((n) => n.id));
      expect(index.nearest(lat, lon, 3, filter).map((n) => n.id)).toEqual(bruteForceNearest(points, lat, lon, 3, filter).map((n) => n.id));
    }
    const [first] = index.nearest(32.4927, 74.5313, 1);
    expect(first!.km).toBeCloseTo(haversineKm(32.4927, 74.5313, points[first!.id - 1]!.latitude, points[first!.id - 1]!.longitude), 6);
  });

  it("handles an empty index and fewer points than asked", () => {
    expect(createSpatialIndex([]).nearest(30, 70, 3)).toEqual([]);
    expect(createSpatialIndex([{ id: 9, latitude: 30, longitude: 70 }]).nearest(31, 71, 3).map((n) => n.id)).toEqual([9]);
  });
});

describe("csv", () => {
  it("reads quotes, commas, doubled quotes, CRLF and a BOM, and writes them back", () => {
    const records = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\nplain,"two\nlines"\n');
    expect(records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", 'say "hi"'] },
      { line: 4, fields: ["plain", "two\nlines"] },
    ]);
    expect(formatCsvLine(["x, y", 'say "hi"', null, 32.5])).toBe('"x, y","say ""hi""",,32.5');
  });
});

describe("the gazetteer's cache between starts", () => {
  // Exact names, misspellings, Urdu script, sentences: whatever the cache holds must find the same.
  const texts = g.places.flatMap((p) => [p.name, `mai ${p.name.toLowerCase().slice(0, -1)}e se hun`, `partner in ${p.name.toLowerCase()}x`, p.urdu ?? "", p.urdu ? `میں ${p.urdu} سے ہوں` : ""]);
  const answers = (gz: ReturnType<typeof readGazetteer>) => texts.map((t) => JSON.stringify(gz.find(t)));

  it("is written on a first load, read on the next, and finds exactly what a load without it finds", () => {
    const dir = mkdtempSync(join(tmpdir(), "gazetteer-cache-"));
    try {
      const fresh = readGazetteer(null);
      const writing = readGazetteer(dir);
      const files = readdirSync(dir).filter((f) => /^gazetteer-[0-9a-f]+\.bin$/.test(f));
      expect(files).toHaveLength(1);
      const reading = readGazetteer(dir);
      expect(answers(writing)).toEqual(answers(fresh));
      expect(answers(reading)).toEqual(answers(fresh));
      expect(reading.places).toEqual(fresh.places);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rebuilds a damaged cache file instead of failing", () => {
    const dir = mkdtempSync(join(tmpdir(), "gazetteer-cache-"));
    try {
      readGazetteer(dir);
      const [file] = readdirSync(dir).filter((f) => f.endsWith(".bin"));
      writeFileSync(join(dir, file!), "not a cache");
      expect(readGazetteer(dir).find("sialkot")?.place.name).toBe("Sialkot");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
