/**
 * The dashboard's web app (Hono, server-rendered; docs/decisions/0801): login through a
 * one-time link, then pages scoped to the session's partner (or everything for admins).
 * Any id outside the scope answers exactly like a missing one (404). Every form that
 * changes something carries the session's CSRF token, and Hono's csrf middleware also
 * refuses form posts from another origin.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HttpBindings } from "@hono/node-server";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { trimTrailingSlash } from "hono/trailing-slash";
import { z } from "zod";
import type { AppDeps } from "../../../core/context.ts";
import { LANGS, type Lang } from "../../../core/types.ts";
import { attendeesCsv, listAttendees } from "../../events/export.ts";
import { approveRequest, notifyRequester, rejectRequest } from "../../partners/membership.ts";
import { groupedCounts, sellerInScope, stuckSellers, type Scope } from "../../progress/queries.ts";
import { loadStages, type Stages } from "../../progress/stages.ts";
import { history, readProgress } from "../../progress/store.ts";
import { consumeLoginToken, csrfMatches, csrfToken, endSession, findSession, SESSION_TTL_MS, sessionLang, sessionScope, setSessionLanguage, type SessionRow } from "../auth.ts";
import { DEFAULT_STUCK_DAYS, loadOverview, summary } from "../overview.ts";
import { deliveryOverTime, eventInScope, listBroadcasts, listEvents, pendingRequests, sellerContacts } from "../queries.ts";
import { createFailureLimiter, type FailureLimiter } from "../rate-limit.ts";
import { groupsPage, requestsPage } from "./admin.ts";
import { broadcastPage, broadcastsPage } from "./broadcasts.ts";
import { eventsPage } from "./events.ts";
import { page, publicPage, rememberingTranslator, type Assets, type View } from "./layout.ts";
import { overviewPage } from "./overview.ts";
import { sellerPage, stuckPage } from "./sellers.ts";

/** The session cookie: HttpOnly, SameSite=Lax, Secure behind https, only sent to /dashboard. */
export const SESSION_COOKIE = "seller_bot_dashboard";

/** What a signed-in request carries. */
interface Auth {
  session: SessionRow;
  secret: string;
  scope: Scope;
  lang: Lang;
  partnerName: string | null;
}

type Env = { Bindings: HttpBindings; Variables: { auth?: Auth } };
type C = Context<Env>;

/** Options for tests and the benchmark. */
export interface DashboardOptions {
  stages?: Stages;
  limiter?: FailureLimiter;
}

const idParam = z.coerce.number().int().positive().max(2_147_483_647);
const daysParam = z.coerce.number().int().min(1).max(365);
const langParam = z.enum(LANGS as [Lang, ...Lang[]]);
/** Link-preview fetchers (Telegram, WhatsApp, …) must not spend a one-time link. */
const PREVIEW_BOTS = /TelegramBot|WhatsApp|facebookexternalhit|Facebot|Twitterbot|Slackbot|Discordbot|LinkedInBot|SkypeUriPreview|Googlebot|bingbot|Applebot|redditbot|Embedly|Iframely/i;
const PUBLIC = /^\/dashboard\/(login|logged-out|assets\/)/;

/** Creates the app; `fetch` serves paths under /dashboard. */
export function createDashboardApp(deps: AppDeps, options: DashboardOptions = {}) {
  const { db, config, log } = deps;
  const provider = deps.database.provider;
  const stages = options.stages ?? loadStages(config.contentDir);
  const limiter = options.limiter ?? createFailureLimiter({ now: deps.now });
  const { assets, files } = loadAssets();
  const tAnon = (c: C) => deps.i18n.t(anonymousLang(c));
  const baseOrigin = new URL(config.dashboard.baseUrl).origin;

  const app = new Hono<Env>().basePath("/dashboard");
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", "data:"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      // A login URL carries a token: never send it to another site.
      referrerPolicy: "no-referrer",
      xFrameOptions: "DENY",
      // HSTS is the TLS terminator's business (it may cover other sites on the domain).
      strictTransportSecurity: false,
    }),
  );
  app.use(compress());
  app.use(trimTrailingSlash());
  app.use(csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === baseOrigin }));
  app.use(bodyLimit({ maxSize: 16 * 1024 }));
  app.use(async (c, next) => (PUBLIC.test(c.req.path) ? next() : signedIn(c, next)));

  const signedIn: MiddlewareHandler<Env> = async (c, next) => {
    const secret = getCookie(c, SESSION_COOKIE);
    const session = await findSession(db, secret, deps.now());
    const access = session ? await sessionScope(db, session) : null;
    if (!session || !access || !secret) {
      if (session) await endSession(db, session.id); // its partner account or admin role is gone
      if (c.req.path.startsWith("/dashboard/api/")) return c.json({ error: "not signed in: send /dashboard to the bot and open the link" }, 401);
      return c.html(publicPage(anonymousLang(c), assets, tAnon(c)("dashboard:signIn.title"), tAnon(c)("dashboard:signIn.text")), 401);
    }
    c.set("auth", { session, secret, scope: access.scope, lang: sessionLang(session), partnerName: access.partnerName });
    c.header("Cache-Control", "no-store");
    await next();
  };

  const auth = (c: C) => c.get("auth")!;
  const view = (c: C): View => {
    const a = auth(c);
    return { t: rememberingTranslator(deps.i18n.t(a.lang)), lang: a.lang, scope: a.scope, partnerName: a.partnerName, csrf: csrfToken(a.secret), path: c.req.path, assets };
  };
  // The same answer for a missing id and another partner's id: nothing tells them apart.
  const notFound = (c: C) => {
    const a = c.get("auth");
    if (!a) return c.html(publicPage(anonymousLang(c), assets, tAnon(c)("dashboard:notFound.title"), tAnon(c)("dashboard:notFound.text")), 404);
    const v = { ...view(c), path: "/dashboard" }; // not the asked path: nothing of the id comes back
    return c.html(page(v, { title: v.t("dashboard:notFound.title"), body: v.t("dashboard:notFound.text") }), 404);
  };
  /** The posted form when its CSRF token is the session's; null otherwise. */
  const postedForm = async (c: C): Promise<Record<string, unknown> | null> => {
    const body = await c.req.parseBody();
    return csrfMatches(auth(c).secret, body._csrf) ? body : null;
  };
  const badForm = (c: C) => {
    const v = view(c);
    return c.html(page(v, { title: v.t("dashboard:badForm.title"), body: v.t("dashboard:badForm.text") }), 403);
  };
  const adminOnly = (c: C) => auth(c).scope.kind === "admin";

  app.get("/assets/:name", (c) => {
    const file = files.get(c.req.param("name"));
    if (!file) return c.notFound();
    return c.body(file.body, 200, { "content-type": file.type, "cache-control": "public, max-age=31536000, immutable" });
  });

  app.get("/login", async (c) => {
    const ip = clientAddress(c);
    const t = tAnon(c);
    if (limiter.blocked(ip)) {
      c.header("Retry-After", String(limiter.retryAfter(ip)));
      return c.html(publicPage(anonymousLang(c), assets, t("dashboard:login.limitedTitle"), t("dashboard:login.limited", { minutes: Math.ceil(limiter.retryAfter(ip) / 60) })), 429);
    }
    if (PREVIEW_BOTS.test(c.req.header("user-agent") ?? "")) return c.html(publicPage("en", assets, t("dashboard:title"), t("dashboard:login.preview")));
    const opened = await consumeLoginToken(db, c.req.query("token") ?? "", deps.now());
    const access = opened ? await sessionScope(db, opened.session) : null;
    if (!opened || !access) {
      if (opened) await endSession(db, opened.session.id);
      limiter.fail(ip);
      log.info({ ip }, "dashboard: login link refused");
      return c.html(publicPage(anonymousLang(c), assets, t("dashboard:login.invalidTitle"), t("dashboard:login.invalid")), 401);
    }
    const previous = await findSession(db, getCookie(c, SESSION_COOKIE), deps.now());
    if (previous) await endSession(db, previous.id);
    setCookie(c, SESSION_COOKIE, opened.secret, { httpOnly: true, sameSite: "Lax", secure: config.dashboard.secureCookie, path: "/dashboard", maxAge: SESSION_TTL_MS / 1000 });
    const { scope } = access;
    log.info({ sessionId: opened.session.id, scope: scope.kind, partnerId: scope.kind === "partner" ? scope.partnerId : undefined }, "dashboard: signed in");
    return c.redirect("/dashboard", 303);
  });

  app.get("/logged-out", (c) => c.html(publicPage(anonymousLang(c), assets, tAnon(c)("dashboard:loggedOut.title"), tAnon(c)("dashboard:loggedOut.text"))));

  app.post("/logout", async (c) => {
    if (!(await postedForm(c))) return badForm(c);
    await endSession(db, auth(c).session.id);
    deleteCookie(c, SESSION_COOKIE, { path: "/dashboard", secure: config.dashboard.secureCookie, httpOnly: true, sameSite: "Lax" });
    return c.redirect(`/dashboard/logged-out?lang=${auth(c).lang}`, 303);
  });

  app.post("/language", async (c) => {
    const form = await postedForm(c);
    if (!form) return badForm(c);
    const lang = langParam.safeParse(form.lang);
    if (lang.success) await setSessionLanguage(db, auth(c).session.id, lang.data);
    const back = typeof form.back === "string" && /^\/dashboard(\/[a-z0-9/-]*)?$/i.test(form.back) ? form.back : "/dashboard";
    return c.redirect(back, 303);
  });

  app.get("/", async (c) => {
    const overview = await loadOverview(db, provider, stages, auth(c).scope, deps.now());
    return c.html(overviewPage(view(c), stages, overview));
  });

  app.get("/api/summary", async (c) => {
    const raw = c.req.query("days");
    const days = daysParam.safeParse(raw ?? DEFAULT_STUCK_DAYS);
    if (!days.success) return c.json({ error: "days: expected a whole number of days from 1 to 365" }, 400);
    return c.json(await summary(db, stages, auth(c).scope, deps.now(), days.data));
  });

  app.get("/stuck", async (c) => {
    const raw = c.req.query("days");
    const parsed = daysParam.safeParse(raw ?? DEFAULT_STUCK_DAYS);
    const days = parsed.success ? parsed.data : DEFAULT_STUCK_DAYS;
    const now = deps.now();
    const found = await stuckSellers(db, auth(c).scope, new Date(now.getTime() - days * 86_400_000), stages.list.length, 100);
    const contacts = await sellerContacts(db, found.sellers.map((s) => s.id));
    return c.html(stuckPage(view(c), stages, { days, badDays: !parsed.success, total: found.total, sellers: found.sellers, contacts, now }));
  });

  app.get("/sellers/:id", async (c) => {
    const id = idParam.safeParse(c.req.param("id"));
    const seller = id.success ? await sellerInScope(db, auth(c).scope, id.data) : null;
    if (!seller) return notFound(c);
    const [progress, events, contacts, assignment] = await Promise.all([
      readProgress(db, seller.id),
      history(db, seller.id, 50),
      sellerContacts(db, [seller.id]),
      db.sellerAssignment.findUnique({ where: { sellerId: seller.id }, select: { partner: { select: { name: true } } } }),
    ]);
    return c.html(sellerPage(view(c), stages, { seller, progress, history: events, contact: contacts.get(seller.id), partnerName: assignment?.partner.name ?? null }));
  });

  app.get("/broadcasts", async (c) => c.html(broadcastsPage(view(c), await listBroadcasts(db, auth(c).scope, { limit: 30 }))));

  app.get("/broadcasts/:id", async (c) => {
    const id = idParam.safeParse(c.req.param("id"));
    const [broadcast] = id.success ? await listBroadcasts(db, auth(c).scope, { id: id.data }) : [];
    if (!broadcast) return notFound(c);
    return c.html(broadcastPage(view(c), broadcast, await deliveryOverTime(db, provider, broadcast.id)));
  });

  app.get("/events", async (c) => c.html(eventsPage(view(c), await listEvents(db, auth(c).scope))));

  app.get("/events/:id/attendees.csv", async (c) => {
    const id = idParam.safeParse(c.req.param("id"));
    const event = id.success ? await eventInScope(db, auth(c).scope, id.data) : null;
    if (!event) return notFound(c);
    const csv = attendeesCsv(await listAttendees(db, event.id));
    return c.body(csv, 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="event-${event.id}-attendees.csv"` });
  });

  app.get("/partners", async (c) => (adminOnly(c) ? c.html(groupsPage(view(c), stages, "partner", await groupedCounts(db, "partner"))) : notFound(c)));
  app.get("/cities", async (c) => (adminOnly(c) ? c.html(groupsPage(view(c), stages, "city", await groupedCounts(db, "city"))) : notFound(c)));

  app.get("/requests", async (c) => {
    if (!adminOnly(c)) return notFound(c);
    const doneId = idParam.safeParse(c.req.query("done"));
    const done = doneId.success ? await db.partnerRequest.findUnique({ where: { id: doneId.data }, include: { partner: true, user: true } }) : null;
    const outcome = done ? { status: c.req.query("result") === "gone" ? "gone" : done.status, user: done.user.displayName ?? `#${done.userId}`, partner: done.partner.name } : null;
    return c.html(requestsPage(view(c), await pendingRequests(db), outcome));
  });

  app.post("/requests/:id/:decision", async (c) => {
    if (!adminOnly(c)) return notFound(c);
    const id = idParam.safeParse(c.req.param("id"));
    const decision = z.enum(["approve", "reject"]).safeParse(c.req.param("decision"));
    if (!id.success || !decision.success) return notFound(c);
    if (!(await postedForm(c))) return badForm(c);
    // The partners feature's own decision and notice: exactly what the chat buttons do.
    const by = auth(c).session.userId;
    const done = decision.data === "approve" ? await approveRequest(db, id.data, by, deps.now()) : await rejectRequest(db, id.data, by, deps.now());
    if (done) await notifyRequester(deps, done, decision.data);
    return c.redirect(`/dashboard/requests?done=${id.data}${done ? "" : "&result=gone"}`, 303);
  });

  app.notFound(notFound);
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log.error({ err: error, path: c.req.path }, "dashboard: request failed");
    const t = tAnon(c);
    return c.html(publicPage(anonymousLang(c), assets, t("dashboard:error.title"), t("dashboard:error.text")), 500);
  });
  return app;
}

/** The page language without a session: `?lang=`, else Urdu for an Urdu browser, else English. */
function anonymousLang(c: C): Lang {
  const asked = langParam.safeParse(c.req.query("lang"));
  if (asked.success) return asked.data;
  return /^ur\b/i.test(c.req.header("accept-language") ?? "") ? "ur" : "en";
}

/** The TCP peer's address (a reverse proxy's, behind one: docs/dashboard.md). */
function clientAddress(c: C): string {
  return c.env?.incoming?.socket?.remoteAddress ?? "unknown";
}

/** The stylesheet, the page script and Chart.js from its package, with content-hashed URLs. */
function loadAssets(): { assets: Assets; files: Map<string, { body: string; type: string }> } {
  const here = dirname(fileURLToPath(import.meta.url));
  const chartPath = join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js");
  const entries: Array<[name: string, path: string, type: string]> = [
    ["dashboard.css", join(here, "assets/dashboard.css"), "text/css; charset=utf-8"],
    ["dashboard.js", join(here, "assets/dashboard.js"), "text/javascript; charset=utf-8"],
    ["chart.umd.min.js", chartPath, "text/javascript; charset=utf-8"],
  ];
  const files = new Map<string, { body: string; type: string }>();
  const urls: Record<string, string> = {};
  for (const [name, path, type] of entries) {
    const body = readFileSync(path, "utf8");
    files.set(name, { body, type });
    urls[name] = `/dashboard/assets/${name}?v=${createHash("sha256").update(body).digest("hex").slice(0, 10)}`;
  }
  return { assets: { css: urls["dashboard.css"]!, js: urls["dashboard.js"]!, chart: urls["chart.umd.min.js"]! }, files };
}
