/**
 * The dashboard on a real HTTP server over the whole app and a real test database, with a
 * world of two partners, their sellers (progress recorded through the progress feature),
 * a broadcast each and an event with answers. Requests are plain fetch calls with cookies.
 */
import type { FailureLimiter } from "../../src/features/dashboard/rate-limit.ts";
import type { Db } from "../../src/db/client.ts";
import { issueLoginLink, type Grant } from "../../src/features/dashboard/auth.ts";
import { createDashboardRoute } from "../../src/features/dashboard/web/mount.ts";
import { setRsvp } from "../../src/features/events/rsvp.ts";
import { loadStages } from "../../src/features/progress/stages.ts";
import { applyChange } from "../../src/features/progress/store.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import type { Lang } from "../../src/core/types.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makeEvent } from "../events/helpers.ts";

/** A settable clock (starts at the real time: the core checks flow expiry against it). */
export function createClock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms), at: (d: Date) => void (offset = d.getTime() - Date.now()) };
}

/** A running dashboard test. */
export interface DashboardTest {
  t: TestApp;
  db: Db;
  /** http://127.0.0.1:PORT */
  base: string;
  clock: ReturnType<typeof createClock>;
  /** A fresh login URL for a grant, on this server. */
  link(grant: Grant, options?: { userId?: number | null; language?: Lang }): Promise<string>;
  /** Opens a login URL; returns the session cookie ("name=value"). */
  login(url: string): Promise<string>;
  get(path: string, cookie?: string, headers?: Record<string, string>): Promise<Response>;
  /** Posts a form as a browser on this page would (Origin header included). */
  post(path: string, cookie: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the app, the HTTP server and the dashboard route on a free port. */
export async function createDashboardTest(options: { limiter?: FailureLimiter; env?: Record<string, string> } = {}): Promise<DashboardTest> {
  const clock = createClock();
  const t = await createTestApp({ now: clock.now, env: options.env });
  const http: HttpServer = createHttpServer(async () => ({ ok: true }));
  http.route(createDashboardRoute(t.app.deps, { limiter: options.limiter }));
  const port = await http.listen(0, "127.0.0.1");
  const base = `http://127.0.0.1:${port}`;
  const db = t.database.prisma;
  const onServer = (url: string) => `${base}${new URL(url).pathname}${new URL(url).search}`;
  return {
    t,
    db,
    base,
    clock,
    link: async (grant, o = {}) => onServer(await issueLoginLink(db, t.app.deps.config, { grant, userId: o.userId ?? null, language: o.language ?? "en" }, clock.now())),
    async login(url) {
      const res = await fetch(url, { redirect: "manual" });
      const cookie = res.headers.get("set-cookie");
      if (res.status !== 303 || !cookie) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return cookie.split(";")[0]!;
    },
    get: (path, cookie, headers = {}) => fetch(`${base}${path}`, { redirect: "manual", headers: { ...(cookie ? { cookie } : {}), ...headers } }),
    post: (path, cookie, form, headers = {}) =>
      fetch(`${base}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, origin: base, "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(form).toString(),
      }),
    async close() {
      await http.close();
      await t.close();
    },
  };
}

/** The CSRF token in a page's forms. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error("no CSRF field in the page");
  return m[1]!;
}

let seq = 0;

/** A seller who wrote to the bot, with a city and (optionally) a WhatsApp number. */
export async function makeSeller(dt: DashboardTest, name: string, options: { partnerId?: number; city?: string; whatsapp?: string; joined?: Date; language?: Lang } = {}): Promise<number> {
  seq += 1;
  const user = await dt.db.user.create({
    data: {
      displayName: name,
      language: options.language ?? "en",
      createdAt: options.joined ?? dt.clock.now(),
      identities: { create: [{ channel: options.whatsapp ? "whatsapp" : "console", externalId: options.whatsapp ? `${options.whatsapp}@s.whatsapp.net` : `dash-${seq}-${name}` }] },
    },
  });
  if (options.city) await dt.db.sellerProfile.create({ data: { userId: user.id, city: options.city } });
  if (options.partnerId) await dt.db.sellerAssignment.create({ data: { sellerId: user.id, partnerId: options.partnerId, assignedAt: options.joined ?? dt.clock.now() } });
  return user.id;
}

/** Ticks stages for a seller through the progress feature, at a given time. */
export async function tick(dt: DashboardTest, sellerId: number, stageIds: string[], at: Date, source: "seller" | "partner" = "seller"): Promise<void> {
  const deps = { db: dt.db, now: () => at };
  const result = await applyChange(deps, loadStages("content"), { sellerId, source, actorId: sellerId, change: { kind: "tick", stageIds } });
  if (!result.ok) throw new Error(`tick failed: ${result.reason}`);
}

/** An approved partner with one approved member account (a user with role partner). */
export async function makePartner(dt: DashboardTest, name: string, city = "Sialkot") {
  seq += 1;
  const partner = await dt.db.partner.create({ data: { name, code: `dp${seq}${name.toLowerCase().replace(/[^a-z]/g, "").slice(0, 10)}`, city, latitude: 32.49, longitude: 74.52, approved: true } });
  const member = await dt.db.user.create({ data: { role: "partner", displayName: `${name} staff`, identities: { create: { channel: "console", externalId: `staff-${seq}` } } } });
  await dt.db.partnerMember.create({ data: { userId: member.id, partnerId: partner.id, status: "approved", approvedAt: new Date() } });
  return { partnerId: partner.id, memberId: member.id, memberExternalId: `staff-${seq}` };
}

/** A broadcast of a partner with outbox rows in the given statuses (sent at `sentAt`). */
export async function makeBroadcast(dt: DashboardTest, partnerId: number | null, statuses: string[], sentAt: Date, eventId?: number): Promise<number> {
  const text = { en: `News from partner ${partnerId}`, ur: "خبر", "ur-Latn": "Khabar" };
  const b = await dt.db.broadcast.create({ data: { partnerId, senderUserId: null, audience: JSON.stringify({ kind: "all" }), content: JSON.stringify({ text }), recipients: statuses.length, eventId: eventId ?? null, createdAt: sentAt } });
  await dt.db.outboxMessage.createMany({
    data: statuses.map((status, i) => ({
      broadcastId: b.id,
      recipient: `u:${1000 + i}`,
      channel: "console",
      chatId: `c${i}`,
      status,
      sentAt: status === "sent" ? new Date(sentAt.getTime() + i * 60_000) : null,
      updatedAt: new Date(sentAt.getTime() + i * 60_000),
    })),
  });
  return b.id;
}

/** Two partners, their sellers with progress, a broadcast each, an event of A with answers. */
export async function seedWorld(dt: DashboardTest) {
  const now = dt.clock.now();
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  const a = await makePartner(dt, "Sialkot Trade Link", "Sialkot");
  const b = await makePartner(dt, "Lahore Export House", "Lahore");
  const ali = await makeSeller(dt, "Ali Sports", { partnerId: a.partnerId, city: "Sialkot", whatsapp: "923001234567", joined: daysAgo(60), language: "ur-Latn" });
  const bilal = await makeSeller(dt, "Bilal Surgical", { partnerId: a.partnerId, city: "Sialkot", joined: daysAgo(40) });
  const ayesha = await makeSeller(dt, "Ayesha Leather", { partnerId: a.partnerId, city: "Gujranwala", joined: daysAgo(30), language: "ur" });
  const danish = await makeSeller(dt, "Danish Gloves", { partnerId: a.partnerId, joined: daysAgo(3) });
  const other = await makeSeller(dt, "Other Seller", { partnerId: b.partnerId, city: "Lahore", joined: daysAgo(50) });
  await tick(dt, ali, ["account"], daysAgo(58));
  await tick(dt, ali, ["documents"], daysAgo(50));
  await tick(dt, ali, ["verified"], daysAgo(45));
  await tick(dt, bilal, ["account"], daysAgo(38));
  await tick(dt, bilal, ["documents"], daysAgo(2), "partner");
  await tick(dt, other, ["account", "documents", "verified", "storefront"], daysAgo(20));
  const event = await makeEvent(dt.t.app.deps, { partnerId: a.partnerId, capacity: 1, title: { en: "Sialkot Export Summit", ur: "سیالکوٹ ایکسپورٹ سمٹ" } });
  const otherEvent = await makeEvent(dt.t.app.deps, { partnerId: b.partnerId, title: { en: "Lahore Leather Day" } });
  await setRsvp(dt.t.app.deps, event.id, ali, "going");
  await setRsvp(dt.t.app.deps, event.id, bilal, "going"); // the one seat is taken: waitlist
  await setRsvp(dt.t.app.deps, event.id, ayesha, "maybe");
  const broadcastA = await makeBroadcast(dt, a.partnerId, ["sent", "sent", "sent", "failed", "blocked", "opted-out", "pending"], daysAgo(1), event.id);
  const broadcastB = await makeBroadcast(dt, b.partnerId, ["sent"], daysAgo(1));
  return { a, b, sellers: { ali, bilal, ayesha, danish, other }, event, otherEvent, broadcastA, broadcastB, now };
}
