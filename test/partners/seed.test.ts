import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { nearestPartners } from "../../src/features/partners/directory.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let db: TestDatabase;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url.startsWith("file:") ? db.url : "postgres://test", LOG_LEVEL: "silent" });
  app = await createApp(config, { database: db, log: pino({ level: "silent" }) });
});
afterAll(async () => {
  await app.close();
  await db.cleanup();
});

it("seeds clearly fictional sample partners in the export cities, once", async () => {
  expect(await db.prisma.partner.count()).toBe(0); // opening the app adds nothing by itself
  const partners = app.features.find((f) => f.name === "partners")!;
  await partners.seed!();
  const samples = await db.prisma.partner.findMany();
  expect(samples.length).toBeGreaterThanOrEqual(15);
  for (const p of samples) {
    expect(p.isSample).toBe(true);
    expect(p.name).toMatch(/^Sample /);
    expect(p.phone ?? "").toMatch(/^\+92 000 /);
    expect(p.telegram ?? "").toMatch(/_sample$/);
  }
  const cities = new Set(samples.map((p) => p.city));
  for (const city of ["Sialkot", "Lahore", "Faisalabad", "Gujranwala", "Karachi", "Islamabad", "Peshawar", "Multan"]) expect(cities).toContain(city);
  // Each sample sits in its own town: the nearest to Faisalabad's centre is the Faisalabad desk.
  const [first] = await nearestPartners(db.prisma, { latitude: 31.41554, longitude: 73.08969, limit: 1 });
  expect(first!.name).toBe("Sample Faisalabad Textile Desk");
  await partners.seed!(); // idempotent
  expect(await db.prisma.partner.count()).toBe(samples.length);
});
