/**
 * `npx tsx scripts/dashboard-screenshots.ts [--out docs/img]`: the overview at phone width
 * (360 px) in English and Urdu, for the README and docs/dashboard.md. Fictional data: the
 * generator of bench:progress (3,000 sellers) on a temporary SQLite file, served by the
 * real dashboard and photographed by Debian's Chromium (/usr/bin/chromium).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import pino from "pino";
import { chromium } from "playwright-core";
import { generate, NOW, seedSqlite } from "../bench/progress-data.ts";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { issueLoginLink } from "../src/features/dashboard/auth.ts";
import { createDashboardRoute } from "../src/features/dashboard/web/mount.ts";
import { loadStages } from "../src/features/progress/stages.ts";
import { createHttpServer } from "../src/http/server.ts";

const out = resolve(process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1]! : "docs/img");
const dir = resolve(".tmp/screenshots");
mkdirSync(dir, { recursive: true });
mkdirSync(out, { recursive: true });
const file = join(dir, `dashboard-${process.pid}.db`);

async function main(): Promise<void> {
  const config = loadConfig({ DATABASE_URL: `file:${file}`, LOG_LEVEL: "silent" });
  const app = await createApp(config, { log: pino({ level: "silent" }), now: () => NOW });
  seedSqlite(file, generate(loadStages("content"), 3000, 20_000));
  const db = app.deps.db;
  await db.partner.update({ where: { id: 1 }, data: { name: "Sialkot Trade Link (sample)" } });
  const http = createHttpServer(async () => ({ ok: true }));
  http.route(createDashboardRoute(app.deps));
  const port = await http.listen(0, "127.0.0.1");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    for (const lang of ["en", "ur"] as const) {
      const context = await browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 1, isMobile: true });
      const page = await context.newPage();
      const url = await issueLoginLink(db, config, { grant: { role: "partner", partnerId: 1 }, userId: null, language: lang }, NOW);
      await page.goto(`http://127.0.0.1:${port}${new URL(url).pathname}${new URL(url).search}`);
      const path = join(out, `dashboard-overview-${lang}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(path);
      await context.close();
    }
  } finally {
    await browser.close();
    await http.close();
    await app.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
