/**
 * The dashboard over real HTTP on the test database (SQLite, or PostgreSQL with
 * TEST_DATABASE=postgres): login links, sessions and cookies, the summary API, scope
 * (another partner's ids answer exactly like missing ones), CSRF, and admins' decisions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/features/dashboard/overview.ts";
import { createFailureLimiter } from "../../src/features/dashboard/rate-limit.ts";
import { attendeesCsv, listAttendees } from "../../src/features/events/export.ts";
import { requestMembership, revokeMemberByIdentity } from "../../src/features/partners/membership.ts";
import { createDashboardTest, csrfOf, makeSeller, seedWorld, type DashboardTest } from "./helpers.ts";

let dt: DashboardTest;
let w: Awaited<ReturnType<typeof seedWorld>>;
let partnerA: string;
let admin: string;

beforeAll(async () => {
  dt = await createDashboardTest();
  w = await seedWorld(dt);
  partnerA = await dt.login(await dt.link({ role: "partner", partnerId: w.a.partnerId }));
  admin = await dt.login(await dt.link({ role: "admin" }));
});
afterAll(async () => dt.close());

const text = async (r: Response) => r.text();
const json = async <T = { error: string }>(r: Response) => (await r.json()) as T;

describe("login links", () => {
  it("open a session: 303 to /dashboard with an HttpOnly, SameSite=Lax cookie for 7 days on /dashboard", async () => {
    const res = await fetch(await dt.link({ role: "admin" }), { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^seller_bot_dashboard=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/dashboard");
    expect(cookie).toContain("Max-Age=604800");
    expect(cookie).not.toContain("Secure"); // http://127.0.0.1: a Secure cookie would never come back
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("work once: the second use is refused and sets no cookie", async () => {
    const url = await dt.link({ role: "admin" });
    await dt.login(url);
    const again = await fetch(url, { redirect: "manual" });
    expect(again.status).toBe(401);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(await again.text()).toContain("This link does not work");
  });

  it("expire after 10 minutes", async () => {
    const url = await dt.link({ role: "admin" });
    dt.clock.advance(10 * 60_000 + 1000);
    try {
      expect((await fetch(url, { redirect: "manual" })).status).toBe(401);
    } finally {
      dt.clock.advance(-(10 * 60_000 + 1000));
    }
  });

  it("refuse malformed and unknown tokens", async () => {
    for (const token of ["", "abc", "A".repeat(43), "../../etc/passwd"]) {
      const res = await dt.get(`/dashboard/login?token=${encodeURIComponent(token)}`);
      expect(res.status, token).toBe(401);
    }
  });

  it("are not spent by a link-preview fetcher (Telegram, WhatsApp)", async () => {
    const url = await dt.link({ role: "admin" });
    const preview = await fetch(url, { redirect: "manual", headers: { "user-agent": "TelegramBot (like TwitterBot)" } });
    expect(preview.status).toBe(200);
    expect(preview.headers.get("set-cookie")).toBeNull();
    expect(await dt.login(url)).toMatch(/^seller_bot_dashboard=/);
  });

  it("open the session in the language the link was made for", async () => {
    const cookie = await dt.login(await dt.link({ role: "admin" }, { language: "ur" }));
    const page = await text(await dt.get("/dashboard", cookie));
    expect(page).toContain('<html lang="ur" dir="rtl">');
    expect(page).toContain("پہلے آرڈر تک کا سفر");
  });

  it("sessions end after 7 days", async () => {
    const cookie = await dt.login(await dt.link({ role: "admin" }));
    dt.clock.advance(7 * 86_400_000 + 1000);
    try {
      expect((await dt.get("/dashboard", cookie)).status).toBe(401);
    } finally {
      dt.clock.advance(-(7 * 86_400_000 + 1000));
    }
  });

  it("a partner account that is revoked loses its session at once", async () => {
    const p = await import("./helpers.ts").then((h) => h.makePartner(dt, "Short Lived Partner"));
    const cookie = await dt.login(await dt.link({ role: "partner", partnerId: p.partnerId }, { userId: p.memberId }));
    expect((await dt.get("/dashboard", cookie)).status).toBe(200);
    const revoked = await revokeMemberByIdentity(dt.db, "console", p.memberExternalId, new Date());
    expect(revoked.ok).toBe(true);
    expect((await dt.get("/dashboard", cookie)).status).toBe(401);
    expect(await dt.db.dashboardSession.count({ where: { userId: p.memberId } })).toBe(0);
  });
});

describe("failed token attempts", () => {
  it("are limited per address: after the limit even a good link waits, until the window ends", async () => {
    let now = new Date("2026-12-01T10:00:00Z");
    const limited = await createDashboardTest({ limiter: createFailureLimiter({ max: 3, windowMs: 60_000, now: () => now }) });
    try {
      for (let i = 0; i < 3; i++) expect((await limited.get(`/dashboard/login?token=${"x".repeat(43)}`)).status).toBe(401);
      const good = await limited.link({ role: "admin" });
      const refused = await fetch(good, { redirect: "manual" });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      now = new Date(now.getTime() + 61_000);
      expect(await limited.login(good)).toMatch(/^seller_bot_dashboard=/);
    } finally {
      await limited.close();
    }
  });
});

describe("behind https", () => {
  it("the cookie is Secure and links use the public base URL", async () => {
    const secure = await createDashboardTest({ env: { DASHBOARD_BASE_URL: "https://bot.example.org" } });
    try {
      const { issueLoginLink } = await import("../../src/features/dashboard/auth.ts");
      const url = await issueLoginLink(secure.db, secure.t.app.deps.config, { grant: { role: "admin" }, userId: null, language: "en" }, secure.clock.now());
      expect(url).toMatch(/^https:\/\/bot\.example\.org\/dashboard\/login\?token=[A-Za-z0-9_-]{43}$/);
      const res = await fetch(`${secure.base}/dashboard/login${new URL(url).search}`, { redirect: "manual" });
      expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });
});

describe("GET /dashboard/api/summary", () => {
  it("answers 401 without a session", async () => {
    const res = await dt.get("/dashboard/api/summary");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await json(res)).toHaveProperty("error");
  });

  it("counts the partner's own sellers at their furthest stage, and who is stuck", async () => {
    const body = await json<Summary>(await dt.get("/dashboard/api/summary", partnerA));
    expect(Object.keys(body)).toEqual(["sellers", "stages", "stuck", "stuckDays"]);
    // Ali reached "verified", Bilal "documents"; Ayesha and Danish have not started.
    // Stuck 14 days: Ali (last change 45 days ago) and Ayesha (joined 30 days ago, never moved).
    expect(body.sellers).toBe(4);
    expect(body.stages.find((s) => s.id === "verified")!.count).toBe(1);
    expect(body.stages.find((s) => s.id === "documents")!.count).toBe(1);
    expect(body.stages.find((s) => s.id === "account")!.count).toBe(0);
    expect(body.stages.map((s) => s.id)).toEqual(["account", "documents", "verified", "storefront", "first-product", "ten-products", "first-inquiry", "first-order"]);
    expect(body.stuck).toBe(2);
    expect(body.stuckDays).toBe(14);
  });

  it("equals the database's counts for an admin (every seller)", async () => {
    const body = await json<Summary>(await dt.get("/dashboard/api/summary?days=1", admin));
    const sellers = await dt.db.user.count({ where: { role: "seller" } });
    expect(body.sellers).toBe(sellers);
    for (const [i, s] of body.stages.entries()) {
      expect(s.count, s.id).toBe(await dt.db.sellerProgress.count({ where: { currentIndex: i, seller: { role: "seller" } } }));
    }
    expect(body.stuckDays).toBe(1);
  });

  it("refuses a bad days value with a reason", async () => {
    for (const days of ["0", "366", "abc", "1.5"]) {
      const res = await dt.get(`/dashboard/api/summary?days=${days}`, partnerA);
      expect(res.status, days).toBe(400);
      expect((await json(res)).error).toMatch(/1 to 365/);
    }
  });
});

describe("scope", () => {
  it("another partner's seller, broadcast and event answer exactly like missing ones (404)", async () => {
    const pairs = [
      [`/dashboard/sellers/${w.sellers.other}`, "/dashboard/sellers/2147483000"],
      [`/dashboard/broadcasts/${w.broadcastB}`, "/dashboard/broadcasts/2147483000"],
      [`/dashboard/events/${w.otherEvent.id}/attendees.csv`, "/dashboard/events/2147483000/attendees.csv"],
    ];
    for (const [theirs, missing] of pairs) {
      const a = await dt.get(theirs!, partnerA);
      const b = await dt.get(missing!, partnerA);
      expect(a.status, theirs).toBe(404);
      expect(b.status, missing).toBe(404);
      expect(await a.text()).toBe(await b.text());
    }
    for (const path of ["/dashboard/sellers/abc", "/dashboard/sellers/-1", "/dashboard/sellers/99999999999"]) expect((await dt.get(path, partnerA)).status, path).toBe(404);
  });

  it("lists only the partner's own broadcasts and events", async () => {
    const broadcasts = await text(await dt.get("/dashboard/broadcasts", partnerA));
    expect(broadcasts).toContain(`data-broadcast="${w.broadcastA}"`);
    expect(broadcasts).not.toContain(`data-broadcast="${w.broadcastB}"`);
    const events = await text(await dt.get("/dashboard/events", partnerA));
    expect(events).toContain(`data-event="${w.event.id}"`);
    expect(events).not.toContain(`data-event="${w.otherEvent.id}"`);
    const stuck = await text(await dt.get("/dashboard/stuck?days=1", partnerA));
    expect(stuck).not.toContain(`data-seller="${w.sellers.other}"`);
  });

  it("admin pages are 404 for partners, open for admins", async () => {
    for (const path of ["/dashboard/partners", "/dashboard/cities", "/dashboard/requests"]) {
      expect((await dt.get(path, partnerA)).status, path).toBe(404);
      expect((await dt.get(path, admin)).status, path).toBe(200);
    }
    expect((await dt.get(`/dashboard/sellers/${w.sellers.other}`, admin)).status).toBe(200);
  });

  it("pages without a session ask to sign in through the bot (401)", async () => {
    for (const path of ["/dashboard", "/dashboard/stuck", `/dashboard/sellers/${w.sellers.ali}`, "/dashboard/events/1/attendees.csv"]) {
      const res = await dt.get(path);
      expect(res.status, path).toBe(401);
      expect(await res.text()).toContain("/dashboard to the bot");
    }
  });
});

describe("pages", () => {
  it("the overview's funnel shows the partner's numbers", async () => {
    const page = await text(await dt.get("/dashboard", partnerA));
    const at = (stage: string) => new RegExp(`data-stage="${stage}"[^>]*>\\s*<th[^>]*>[^<]*</th><td data-count="(\\d+)"`).exec(page)?.[1];
    expect(at("none")).toBe("2");
    expect(at("documents")).toBe("1");
    expect(at("verified")).toBe("1");
    expect(page).toContain('data-chart="hbar"');
    expect(page).toContain("/dashboard/assets/chart.umd.min.js?v=");
  });

  it("the stuck list has the last step, days, language, city and a chat link", async () => {
    const page = await text(await dt.get("/dashboard/stuck?days=14", partnerA));
    expect(page).toContain("2 sellers have not moved for 14 days or more.");
    const ali = page.slice(page.indexOf(`data-seller="${w.sellers.ali}"`));
    expect(ali).toContain("Business verified");
    expect(ali).toContain("45 days");
    expect(ali).toContain("Roman Urdu");
    expect(ali).toContain("Sialkot");
    expect(ali).toContain('href="https://wa.me/923001234567"');
    expect(page).toContain(`data-seller="${w.sellers.ayesha}"`);
    expect(page).not.toContain(`data-seller="${w.sellers.bilal}"`);
    expect(await text(await dt.get("/dashboard/stuck?days=abc", partnerA))).toContain("from 1 to 365");
  });

  it("a seller's page shows the checklist with dates and the history of steps", async () => {
    const page = await text(await dt.get(`/dashboard/sellers/${w.sellers.bilal}`, partnerA));
    expect(page).toContain("Bilal Surgical");
    const day = (d: number) => new Date(w.now.getTime() - d * 86_400_000 + 5 * 3600_000).toISOString().slice(0, 10);
    expect(page).toMatch(new RegExp(`data-stage="account"><th[^>]*>✅[^<]*</th><td>${day(38)}</td>`));
    expect(page).toContain("Done: Documents ready");
    expect(page).toContain("by the partner");
  });

  it("a broadcast shows its state, delivery counts, RSVPs and delivery over time", async () => {
    const page = await text(await dt.get(`/dashboard/broadcasts/${w.broadcastA}`, partnerA));
    const count = (k: string) => new RegExp(`data-k="${k}">(\\d+)<`).exec(page)?.[1];
    expect([count("recipients"), count("sent"), count("failed"), count("blocked"), count("optedOut"), count("queued")]).toEqual(["7", "3", "1", "1", "1", "1"]);
    expect([count("going"), count("maybe"), count("no"), count("waitlist")]).toEqual(["1", "1", "0", "1"]);
    expect(page).toContain("Sending");
    const rows = [...page.matchAll(/<tr data-label="[^"]+" data-value="(\d+)">/g)].map((m) => Number(m[1]));
    expect(rows.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("the attendee CSV is the CLI's file", async () => {
    const res = await dt.get(`/dashboard/events/${w.event.id}/attendees.csv`, partnerA);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="event-${w.event.id}-attendees.csv"`);
    expect(await res.text()).toBe(attendeesCsv(await listAttendees(dt.db, w.event.id)));
  });

  it("names typed by people are escaped, never run", async () => {
    await makeSeller(dt, '<script>alert("x")</script>', { partnerId: w.a.partnerId, joined: new Date(w.now.getTime() - 20 * 86_400_000) });
    const page = await text(await dt.get("/dashboard/stuck", partnerA));
    expect(page).not.toContain('<script>alert("x")</script>');
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect((await dt.get("/dashboard", partnerA)).headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("serves Chart.js from its package, cacheable", async () => {
    const res = await dt.get("/dashboard/assets/chart.umd.min.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(await res.text()).toContain("Chart.js v4.5.1");
    expect((await dt.get("/dashboard/assets/nope.js")).status).toBe(404);
  });
});

describe("forms", () => {
  it("switch the language for the session, back to the same page", async () => {
    const cookie = await dt.login(await dt.link({ role: "partner", partnerId: w.a.partnerId }));
    const csrf = csrfOf(await text(await dt.get("/dashboard/stuck", cookie)));
    const res = await dt.post("/dashboard/language", cookie, { _csrf: csrf, lang: "ur", back: "/dashboard/stuck" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/stuck");
    const page = await text(await dt.get("/dashboard/stuck", cookie));
    expect(page).toContain('<html lang="ur" dir="rtl">');
    const elsewhere = await dt.post("/dashboard/language", cookie, { _csrf: csrf, lang: "ur-Latn", back: "https://evil.example/x" });
    expect(elsewhere.headers.get("location")).toBe("/dashboard");
    expect(await text(await dt.get("/dashboard", cookie))).toContain('lang="ur-Latn"');
  });

  it("refuse a post without the session's CSRF token, or from another origin", async () => {
    const cookie = await dt.login(await dt.link({ role: "admin" }));
    const csrf = csrfOf(await text(await dt.get("/dashboard", cookie)));
    expect((await dt.post("/dashboard/logout", cookie, {})).status).toBe(403);
    expect((await dt.post("/dashboard/logout", cookie, { _csrf: csrfOf(await text(await dt.get("/dashboard", admin))) })).status).toBe(403);
    expect((await dt.post("/dashboard/logout", cookie, { _csrf: csrf }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await dt.get("/dashboard", cookie)).status).toBe(200); // still signed in
  });

  it("log out: the session is gone and the cookie cleared", async () => {
    const cookie = await dt.login(await dt.link({ role: "admin" }));
    const csrf = csrfOf(await text(await dt.get("/dashboard", cookie)));
    const res = await dt.post("/dashboard/logout", cookie, { _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/logged-out?lang=en");
    expect(res.headers.get("set-cookie")).toMatch(/^seller_bot_dashboard=;.*Max-Age=0/);
    expect((await dt.get("/dashboard", cookie)).status).toBe(401);
    expect((await dt.get("/dashboard/api/summary", cookie)).status).toBe(401);
  });
});

describe("partner requests (admin)", () => {
  it("approve through the partners feature: membership, role, and the requester is told", async () => {
    const requester = await makeSeller(dt, "New Staff");
    const identity = await dt.db.channelIdentity.findFirstOrThrow({ where: { userId: requester } });
    const { requestId } = await requestMembership(dt.db, requester, w.b.partnerId, new Date());
    const page = await text(await dt.get("/dashboard/requests", admin));
    expect(page).toContain(`data-request="${requestId}"`);
    const before = dt.t.adapter.sent.length;
    const res = await dt.post(`/dashboard/requests/${requestId}/approve`, admin, { _csrf: csrfOf(page) });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/dashboard/requests?done=${requestId}`);
    expect((await dt.db.partnerMember.findUnique({ where: { userId: requester } }))?.status).toBe("approved");
    expect((await dt.db.user.findUnique({ where: { id: requester } }))?.role).toBe("partner");
    const told = dt.t.adapter.sent.slice(before).filter((s) => s.chatId === identity.externalId);
    expect(told.map((s) => s.message.text).join("\n")).toContain("Lahore Export House");
    expect(await text(await dt.get(`/dashboard/requests?done=${requestId}`, admin))).toContain("Approved: New Staff now acts for Lahore Export House");
    // A second decision on the same request changes nothing.
    const again = await dt.post(`/dashboard/requests/${requestId}/reject`, admin, { _csrf: csrfOf(page) });
    expect(again.headers.get("location")).toBe(`/dashboard/requests?done=${requestId}&result=gone`);
    expect((await dt.db.partnerRequest.findUnique({ where: { id: requestId! } }))?.status).toBe("approved");
  });

  it("reject, and refuse partners and forged posts", async () => {
    const requester = await makeSeller(dt, "Not Staff");
    const { requestId } = await requestMembership(dt.db, requester, w.a.partnerId, new Date());
    const csrf = csrfOf(await text(await dt.get("/dashboard", partnerA)));
    expect((await dt.post(`/dashboard/requests/${requestId}/approve`, partnerA, { _csrf: csrf })).status).toBe(404);
    expect((await dt.post(`/dashboard/requests/${requestId}/approve`, admin, {})).status).toBe(403);
    expect((await dt.db.partnerRequest.findUnique({ where: { id: requestId! } }))?.status).toBe("pending");
    const adminCsrf = csrfOf(await text(await dt.get("/dashboard/requests", admin)));
    expect((await dt.post(`/dashboard/requests/${requestId}/reject`, admin, { _csrf: adminCsrf })).status).toBe(303);
    expect((await dt.db.partnerRequest.findUnique({ where: { id: requestId! } }))?.status).toBe("rejected");
    expect(await dt.db.partnerMember.findUnique({ where: { userId: requester } })).toBeNull();
  });
});
