/// <reference lib="dom" />
/**
 * The dashboard in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core, never a downloaded browser. One browser for the file, a few pages.
 * Skipped, with a message, only when /usr/bin/chromium is absent (CI installs it).
 */
import { existsSync, readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attendeesCsv, listAttendees } from "../../src/features/events/export.ts";
import { createDashboardTest, seedWorld, type DashboardTest } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) console.warn(`test/dashboard/browser.test.ts skipped: ${CHROMIUM} is absent (install Debian's "chromium" package; .ci/run does)`);

describe.skipIf(!available)("the dashboard in Chromium", () => {
  let dt: DashboardTest;
  let w: Awaited<ReturnType<typeof seedWorld>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  /**
   * Watches a page for script errors, CSP refusals and failed sub-resources (the pages'
   * own 401/404 answers are expected and left out).
   */
  const watch = (p: Page) => {
    p.on("console", (m) => void (m.type() === "error" && !m.text().startsWith("Failed to load resource") && problems.push(m.text())));
    p.on("pageerror", (e) => void problems.push(e.message));
    p.on("response", (r) => void (r.status() >= 400 && r.request().resourceType() !== "document" && problems.push(`${r.status()} ${r.url()}`)));
    p.on("requestfailed", (r) => void problems.push(`failed ${r.url()}`));
    return p;
  };

  beforeAll(async () => {
    dt = await createDashboardTest();
    w = await seedWorld(dt);
    // Playwright gives every launch a new, empty user-data-dir.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context = await browser.newContext({ acceptDownloads: true });
    page = watch(await context.newPage());
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await dt?.close();
  });

  it("logs in through a link, and the funnel's numbers are the database's", async () => {
    await page.goto(await dt.link({ role: "partner", partnerId: w.a.partnerId }));
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    const shown = await page.$$eval("#funnel tbody tr", (rows) => rows.map((r) => [r.getAttribute("data-stage"), Number(r.querySelector("td")!.textContent)]));
    const assigned = await dt.db.sellerAssignment.findMany({ where: { partnerId: w.a.partnerId }, select: { seller: { select: { progress: { select: { currentIndex: true } } } } } });
    const stageIds = ["none", "account", "documents", "verified", "storefront", "first-product", "ten-products", "first-inquiry", "first-order"];
    const expected = stageIds.map((id, i) => [id, assigned.filter((a) => (a.seller.progress?.currentIndex ?? -1) === i - 1).length]);
    expect(shown).toEqual(expected);
    expect(expected.reduce((s, [, n]) => s + Number(n), 0)).toBe(4);
    // The chart enhanced the table (Chart.js from the package, allowed by the CSP).
    expect(await page.locator(".chart canvas").count()).toBe(2);
    expect(problems).toEqual([]);
  });

  it("opens the stuck list and a seller's history", async () => {
    await page.getByRole("link", { name: "Stuck sellers" }).click();
    await page.waitForURL(/\/dashboard\/stuck$/);
    await expect.poll(() => page.locator("#stuck-list > li").count()).toBe(2);
    await page.locator(`[data-seller="${w.sellers.ali}"] a.name`).click();
    await page.waitForURL(new RegExp(`/dashboard/sellers/${w.sellers.ali}$`));
    const history = await page.locator("#history li").allTextContents();
    expect(history).toHaveLength(3);
    expect(history[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} Done: Business verified/);
    expect(await page.locator('#checklist [data-stage="documents"] td').textContent()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("downloads the attendee CSV, the CLI's file", async () => {
    await page.getByRole("link", { name: "Events", exact: true }).click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator(`[data-event="${w.event.id}"] a.download`).click()]);
    expect(download.suggestedFilename()).toBe(`event-${w.event.id}-attendees.csv`);
    expect(readFileSync((await download.path())!, "utf8")).toBe(attendeesCsv(await listAttendees(dt.db, w.event.id)));
  });

  it("answers 404 for another partner's seller id", async () => {
    const response = await page.goto(`${dt.base}/dashboard/sellers/${w.sellers.other}`);
    expect(response?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe("Not found");
    expect(await page.content()).not.toContain("Other Seller");
  });

  it("fits a 360 px phone in Urdu, right to left, with nothing cut off; the language switches back on the page", async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const p = watch(await phone.newPage());
      await p.goto(await dt.link({ role: "partner", partnerId: w.a.partnerId }, { language: "ur" }));
      expect(await p.evaluate(() => [document.documentElement.lang, document.documentElement.dir, getComputedStyle(document.body).direction])).toEqual(["ur", "rtl", "rtl"]);
      expect(await p.locator("h1").textContent()).toBe("خلاصہ");
      for (const path of ["/dashboard", "/dashboard/stuck", `/dashboard/broadcasts/${w.broadcastA}`, "/dashboard/events", `/dashboard/sellers/${w.sellers.ali}`]) {
        await p.goto(`${dt.base}${path}`);
        const fit = await p.evaluate(() => {
          const root = document.documentElement;
          const width = root.clientWidth;
          // Every element inside the viewport, except inside a deliberate scroll box.
          const outside = Array.from(document.body.querySelectorAll("*"))
            .filter((el) => !el.closest(".scroll") && el.getClientRects().length > 0)
            .filter((el) => {
              const r = el.getBoundingClientRect();
              return r.left < -1 || r.right > width + 1;
            })
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
          return { scrollWidth: root.scrollWidth, clientWidth: width, bodyScroll: document.body.scrollWidth, outside };
        });
        expect(fit.scrollWidth, path).toBeLessThanOrEqual(fit.clientWidth);
        expect(fit.bodyScroll, path).toBeLessThanOrEqual(fit.clientWidth);
        expect(fit.outside, path).toEqual([]);
      }
      await p.goto(`${dt.base}/dashboard`);
      await p.getByRole("button", { name: "English" }).click();
      await p.waitForFunction(() => document.documentElement.dir === "ltr");
      expect(await p.locator("h1").textContent()).toBe("Overview");
      expect(problems).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it("logs out", async () => {
    await page.goto(`${dt.base}/dashboard`);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/dashboard\/logged-out/);
    expect(await page.locator("h1").textContent()).toBe("Logged out");
    expect((await context.cookies()).filter((c) => c.name === "seller_bot_dashboard")).toEqual([]);
    const again = await page.goto(`${dt.base}/dashboard`);
    expect(again?.status()).toBe(401);
  });
});
