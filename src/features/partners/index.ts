/**
 * The partners feature: find the nearest channel partners (location pin, a town named in
 * English, Urdu or Roman Urdu, or "nearest partner": the `partner.find` intent), show the
 * seller's own partner (`partner.mine`), offer another (`partner.change`), answer a
 * complaint about one (`complaint.partner`) and a wish to talk to a person (`human`), pick
 * one, Telegram deep links `/start p_<code>`, partner accounts (`/partner CODE` + admin
 * approval), and the routing topics `find-partner` and `talk-to-human`. docs/partners.md
 * describes it for users.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { AppDeps, Ctx, Feature, Middleware } from "../../core/context.ts";
import { compose, onChoice, onWords } from "../../core/router.ts";
import type { OutboundMessage } from "../../core/types.ts";
import type { PlaceRef } from "../../core/understanding.ts";
import { assignedPartnerId, assignPartner, findPartnerByCode } from "./api.ts";
import { categoryInText, getDirectory, nearestPartners, type DirectoryPartner, type NearbyPartner } from "./directory.ts";
import { loadGazetteer } from "./gazetteer.ts";
import { approveRequest, MAX_PENDING_REQUESTS, notifyAdminsOfRequest, notifyRequester, rejectRequest, requestMembership, sendToUser } from "./membership.ts";
import { placeWords } from "./place-text.ts";
import { importPartners, parsePartnerCsv } from "./repository.ts";
import { whatsappLink } from "./rows.ts";
import { contactText } from "./contact.ts";
import { listRequests, pendingRequestsNotice } from "./requests.ts";

const FLOW_WHERE = "partners.where";
/** An admin's words for the list of pending partner account requests. */
const REQUEST_WORDS = ["/requests", "requests", "partner requests", "pending requests", "/partnerrequests"];
const SAMPLES = fileURLToPath(new URL("../../../content/partners/sample-partners.csv", import.meta.url));

/** Creates the partners feature. */
export function createPartnersFeature(deps: AppDeps): Feature {
  const findTopic = (ctx: Ctx) => startFind(ctx);
  return {
    name: "partners",
    // Sees every message (an admin's "hello" is the help feature's): requests waiting are told once.
    beforeFlows: pendingRequestsNotice(new Set<number>()),
    middleware: compose([
      onChoice("pt:", (ctx, rest, next) => onPartnerChoice(deps, ctx, rest, next)),
      onWords(REQUEST_WORDS, (ctx, args, next) => (args ? next() : listRequests(ctx))),
      onLocation,
      onText(deps),
    ]),
    flows: { [FLOW_WHERE]: whereFlow },
    topics: { "find-partner": findTopic, "talk-to-human": (ctx) => talkToHuman(ctx) },
    menu: [
      { labelKey: "partners:menu.find", data: "pt:find", roles: ["seller", "admin"] },
      { labelKey: "partners:menu.mine", data: "pt:mine", roles: ["seller"] },
    ],
    async seed() {
      const parsed = parsePartnerCsv(readFileSync(SAMPLES, "utf8"));
      if (!parsed.ok) throw new Error(`content/partners/sample-partners.csv: ${parsed.errors.map((e) => `row ${e.row} ${e.field}: ${e.message}`).join("; ")}`);
      await importPartners(deps.db, deps.database.provider, parsed.rows, { isSample: true });
    },
  };
}

const rowId = z.coerce.number().int().positive().max(2_147_483_647);
const choiceSchema = z.union([
  z.object({ action: z.literal("pick"), id: rowId }),
  // pt:rq:approve:<request id> / pt:rq:reject:<request id> (membership.ts requestChoice)
  z.object({ action: z.literal("rq"), decision: z.enum(["approve", "reject"]), id: rowId }),
  // Buttons sent before requests had rows of their own carried a membership id: never act on them.
  z.object({ action: z.enum(["approve", "reject"]) }),
  z.object({ action: z.literal("find") }),
  z.object({ action: z.literal("mine") }),
  // "No partner is near: ask the programme team" (replyNearest)
  z.object({ action: z.literal("team") }),
  z.object({ action: z.literal("requests") }),
]);

async function onPartnerChoice(deps: AppDeps, ctx: Ctx, rest: string, next: () => Promise<void>): Promise<void> {
  const parts = rest.split(":");
  const [action] = parts;
  const choice = choiceSchema.safeParse(action === "rq" ? { action, decision: parts[1], id: parts[2] } : { action, id: parts[1] });
  if (!choice.success) return next();
  const c = choice.data;
  switch (c.action) {
    case "find":
      return startFind(ctx);
    case "mine":
      return showMine(ctx);
    case "team":
      return askTeam(ctx);
    case "requests":
      return listRequests(ctx);
    case "pick":
      return pick(ctx, c.id);
    case "rq":
      return decideRequest(deps, ctx, c.decision, c.id);
    case "approve":
    case "reject":
      return ctx.reply(ctx.t(ctx.user.role === "admin" ? "partners:member.gone" : "partners:member.notAdmin"));
  }
}

const onLocation: Middleware = async (ctx, next) => {
  const c = ctx.message.content;
  if (c.kind !== "location") return next();
  await ctx.state.clear();
  // A pin far from any known town (sea, abroad) still gets partners, but no town name.
  const city = loadGazetteer().townOf(c.latitude, c.longitude)?.name ?? null;
  await saveProfile(ctx, { city, latitude: c.latitude, longitude: c.longitude });
  await replyNearest(ctx, { latitude: c.latitude, longitude: c.longitude, label: null, category: null });
};

function onText(deps: AppDeps): Middleware {
  return async (ctx, next) => {
    if (ctx.message.content.kind !== "text") return next();
    const text = ctx.text.trim();
    const deep = /^\/start(?:@\w+)?\s+p_([A-Za-z0-9_-]{1,40})$/.exec(text);
    if (deep) return deepLink(ctx, deep[1]!);
    const member = /^\/partner(?:@\w+)?(?:\s+(.*))?$/i.exec(text);
    if (member) return requestPartnerAccount(deps, ctx, (member[1] ?? "").trim());
    const u = ctx.understanding;
    switch (u?.intent) {
      case "partner.find":
        if (u.unknownPlace && !u.place) return ctx.reply(ctx.t("partners:find.unknownPlace", { text: u.unknownPlace.slice(0, 60), howto: ctx.t("partners:find.howto") }));
        return startFind(ctx, text, u.place);
      case "partner.mine":
        return showMine(ctx);
      case "partner.change":
        await ctx.reply(ctx.t("partners:change.intro"));
        return startFind(ctx, text, u.place);
      case "complaint.partner":
        await ctx.reply(ctx.t("partners:complaint.text"));
        return startFind(ctx, "", u.place);
      case "human":
        return talkToHuman(ctx);
      default:
        return next();
    }
  };
}

/** Starts "find a partner": a place or category in the text, else the stored location, else ask. */
async function startFind(ctx: Ctx, text = "", place?: PlaceRef): Promise<void> {
  const category = text ? await categoryInText(ctx.deps.db, placeWords(text)) : null;
  if (category) await saveProfile(ctx, { categories: category });
  if (place) return replyForPlace(ctx, place, category);
  const profile = await ctx.deps.database.hot.findSellerProfile(ctx.user.id);
  if (profile?.latitude != null && profile.longitude != null) {
    return replyNearest(ctx, { latitude: profile.latitude, longitude: profile.longitude, label: profile.city, category });
  }
  await ctx.state.set(FLOW_WHERE, { category, retried: false });
  await ctx.reply(ctx.t("partners:find.askPlace", { howto: ctx.t("partners:find.howto") }));
}

const whereSchema = z.object({ category: z.string().nullable().catch(null), retried: z.boolean().catch(false) }).catch({ category: null, retried: false });

/** The answer to "which town are you in?". */
const whereFlow: Middleware = async (ctx, next) => {
  const c = ctx.message.content;
  if (c.kind !== "text") return next(); // pins and choices are handled by the middleware
  const { category, retried } = whereSchema.parse(ctx.state.data);
  const u = ctx.understanding;
  if (u?.place) {
    await ctx.state.clear();
    return replyForPlace(ctx, u.place, category);
  }
  // Something else (a question, the menu, thanks), a command or a second miss: let the others have it.
  const unknownTown = u !== null && (u.intent === "none" || u.intent === "partner.find") && placeWords(ctx.text).length <= 4;
  if (ctx.text.startsWith("/") || !unknownTown || retried) {
    await ctx.state.clear();
    return next();
  }
  await ctx.state.set(FLOW_WHERE, { category, retried: true });
  await ctx.reply(ctx.t("partners:find.unknownPlace", { text: ctx.text.slice(0, 60), howto: ctx.t("partners:find.howto") }));
};

async function replyForPlace(ctx: Ctx, place: PlaceRef, category: string | null): Promise<void> {
  await saveProfile(ctx, { city: place.name, latitude: place.latitude, longitude: place.longitude });
  const label = ctx.lang === "ur" && place.urdu ? place.urdu : place.name;
  await replyNearest(ctx, { latitude: place.latitude, longitude: place.longitude, label, category });
}

async function replyNearest(ctx: Ctx, q: { latitude: number; longitude: number; label: string | null; category: string | null }): Promise<void> {
  let found = await nearestPartners(ctx.deps.db, { latitude: q.latitude, longitude: q.longitude, limit: 3, category: q.category });
  const lines: string[] = [];
  if (q.category && found.length === 0) {
    lines.push(ctx.t("partners:find.categoryNone", { category: q.category }));
    found = await nearestPartners(ctx.deps.db, { latitude: q.latitude, longitude: q.longitude, limit: 3 });
  } else if (q.category) lines.push(ctx.t("partners:find.forCategory", { category: q.category }));
  if (found.length === 0) return ctx.reply(ctx.t("partners:find.none"));
  const nearest = found[0]!;
  if (nearest.distanceKm > ctx.deps.config.partnerMaxDistanceKm) return replyNoneNear(ctx, q.label, nearest);
  lines.unshift(q.label ? ctx.t("partners:find.header", { place: q.label }) : ctx.t("partners:find.headerPin"));
  found.forEach((p, i) => lines.push("", ...partnerLines(ctx, p, i + 1)));
  lines.push("", ctx.t("partners:find.pick"));
  const message: OutboundMessage = {
    text: lines.join("\n"),
    choices: found.map((p) => ({ data: `pt:pick:${p.id}`, label: ctx.t("partners:find.pickButton", { name: p.name }) })),
    location: { latitude: nearest.latitude, longitude: nearest.longitude, name: nearest.name, address: nearest.address || nearest.city },
  };
  await ctx.reply(message);
}

/**
 * No partner within PARTNER_MAX_DISTANCE_KM (a pin abroad, a remote place): say so, give
 * the nearest with its distance for someone who can travel, and offer the programme team
 * rather than inviting the seller to pick an agency thousands of km away.
 */
async function replyNoneNear(ctx: Ctx, label: string | null, nearest: NearbyPartner): Promise<void> {
  const km = formatKm(nearest.distanceKm);
  const lines = [
    label ? ctx.t("partners:far.header", { place: label, max: ctx.deps.config.partnerMaxDistanceKm }) : ctx.t("partners:far.headerPin", { max: ctx.deps.config.partnerMaxDistanceKm }),
    "",
    ctx.t("partners:far.nearest", { name: nearest.name, city: nearest.city, km }),
    ...partnerLines(ctx, nearest, null).slice(1),
    "",
    ctx.t("partners:far.team"),
  ];
  await ctx.reply({ text: lines.join("\n"), choices: [{ data: "pt:team", label: ctx.t("partners:far.teamButton") }] });
}

/** The seller asks the programme team for help: every admin gets the seller's place and contact links. */
async function askTeam(ctx: Ctx): Promise<void> {
  const { deps } = ctx;
  const profile = await deps.db.sellerProfile.findUnique({ where: { userId: ctx.user.id } });
  const identities = await deps.db.channelIdentity.findMany({ where: { userId: ctx.user.id }, select: { channel: true, externalId: true } });
  const admins = await deps.db.user.findMany({ where: { role: "admin", id: { not: ctx.user.id } }, select: { id: true } });
  let sent = 0;
  for (const admin of admins) {
    sent += await sendToUser(deps, admin.id, (lang) => ({
      text: deps.i18n.t(lang)("partners:far.adminNotice", {
        seller: ctx.user.displayName ?? `#${ctx.user.id}`,
        place: profile?.city ?? (profile?.latitude != null ? `${profile.latitude.toFixed(3)}, ${profile.longitude?.toFixed(3)}` : "-"),
        contact: contactText(identities),
      }),
    }));
  }
  deps.log.info({ userId: ctx.user.id, admins: sent }, "partners: seller asked the programme team");
  await ctx.reply(ctx.t(sent > 0 ? "partners:far.teamAsked" : "partners:far.teamUnreachable"));
}

function formatKm(km: number): string {
  return km < 10 ? km.toFixed(1) : String(Math.round(km));
}

/** The contact lines of one partner: name, city, distance, phone, WhatsApp link, Telegram. */
function partnerLines(ctx: Ctx, p: DirectoryPartner | NearbyPartner, n: number | null): string[] {
  const head = "distanceKm" in p && n !== null ? ctx.t("partners:find.item", { n, name: p.name, city: p.city, km: formatKm(p.distanceKm) }) : `${p.name}, ${p.city}`;
  const lines = [head];
  if (p.phone) lines.push(ctx.t("partners:find.phone", { phone: p.phone }));
  const wa = whatsappLink(p.whatsapp);
  if (wa) lines.push(ctx.t("partners:find.whatsapp", { link: wa }));
  if (p.telegram) lines.push(ctx.t("partners:find.telegram", { handle: p.telegram }));
  return lines;
}

async function pick(ctx: Ctx, partnerId: number): Promise<void> {
  const before = await assignedPartnerId(ctx.deps.db, ctx.user.id);
  const partner = await assignPartner(ctx.deps, ctx.user.id, partnerId);
  if (!partner) return ctx.reply(ctx.t("partners:pick.gone"));
  await ctx.state.clear();
  const dir = await getDirectory(ctx.deps.db);
  const entry = dir.byId.get(partner.id);
  const text = [ctx.t(before === partner.id ? "partners:pick.same" : "partners:pick.done", { name: partner.name }), ...(entry ? ["", ...partnerLines(ctx, entry, null)] : [])];
  await ctx.reply(text.join("\n"));
}

async function deepLink(ctx: Ctx, code: string): Promise<void> {
  const partner = await findPartnerByCode(ctx.deps.db, code);
  if (!partner || !partner.active || !partner.approved) return ctx.reply(ctx.t("partners:deepLink.invalid"));
  return pick(ctx, partner.id);
}

async function showMine(ctx: Ctx): Promise<void> {
  const id = await assignedPartnerId(ctx.deps.db, ctx.user.id);
  const entry = id ? (await getDirectory(ctx.deps.db)).byId.get(id) : undefined;
  if (!entry && id) {
    // Assigned to a partner that was deactivated since: say so, then the active ones nearby.
    const gone = await ctx.deps.db.partner.findUnique({ where: { id }, select: { name: true } });
    if (gone) return startFindWithNote(ctx, ctx.t("partners:mine.inactive", { partner: gone.name }));
  }
  if (!entry) return startFindWithNote(ctx, ctx.t("partners:mine.none"));
  await ctx.reply([ctx.t("partners:mine.header"), ...partnerLines(ctx, entry, null)].join("\n"));
}

async function startFindWithNote(ctx: Ctx, note: string): Promise<void> {
  await ctx.reply(note);
  await startFind(ctx, "");
}

/** talk-to-human: the assigned partner's contacts, else the nearest ones, else ask where. */
async function talkToHuman(ctx: Ctx): Promise<void> {
  const id = await assignedPartnerId(ctx.deps.db, ctx.user.id);
  const entry = id ? (await getDirectory(ctx.deps.db)).byId.get(id) : undefined;
  if (entry) return ctx.reply([ctx.t("partners:human.assigned"), ...partnerLines(ctx, entry, null)].join("\n"));
  const profile = await ctx.deps.database.hot.findSellerProfile(ctx.user.id);
  if (profile?.latitude != null && profile.longitude != null) {
    await ctx.reply(ctx.t("partners:human.nearest"));
    return replyNearest(ctx, { latitude: profile.latitude, longitude: profile.longitude, label: profile.city, category: null });
  }
  await ctx.reply(ctx.t("partners:human.nearest"));
  return startFind(ctx, "", ctx.understanding?.place);
}

/** On the driver (decision 1103): a place or categories per "nearest partner" conversation; Prisma's upsert was the dearest step of the core path. */
async function saveProfile(ctx: Ctx, data: { city: string | null; latitude: number; longitude: number } | { categories: string }): Promise<void> {
  const { hot } = ctx.deps.database;
  if ("categories" in data) await hot.saveSellerCategories(ctx.user.id, data.categories, ctx.deps.now());
  else await hot.saveSellerPlace(ctx.user.id, data, ctx.deps.now());
}

async function requestPartnerAccount(deps: AppDeps, ctx: Ctx, code: string): Promise<void> {
  if (!code) return ctx.reply(ctx.t("partners:member.usage"));
  const partner = await findPartnerByCode(deps.db, code);
  if (!partner) return ctx.reply(ctx.t("partners:member.unknownCode", { code: code.slice(0, 40) }));
  const { result, requestId } = await requestMembership(deps.db, ctx.user.id, partner.id, deps.now());
  const key = { requested: "requested", "already-pending": "alreadyPending", "already-member": "alreadyMember", "member-elsewhere": "elsewhere", "too-many": "tooMany" }[result];
  await ctx.reply(ctx.t(`partners:member.${key}`, { partner: partner.name, count: MAX_PENDING_REQUESTS }));
  if (result === "requested" && requestId !== null) {
    await notifyAdminsOfRequest(deps, requestId, { id: ctx.user.id, name: ctx.user.displayName }, partner).catch((error: unknown) => deps.log.warn({ err: error }, "partners: admin notice failed"));
  }
}

/** An admin's Approve / Reject of one request: grants exactly the partner the request names. */
async function decideRequest(deps: AppDeps, ctx: Ctx, action: "approve" | "reject", requestId: number): Promise<void> {
  if (ctx.user.role !== "admin") return ctx.reply(ctx.t("partners:member.notAdmin"));
  const done = action === "approve" ? await approveRequest(deps.db, requestId, ctx.user.id, deps.now()) : await rejectRequest(deps.db, requestId, ctx.user.id, deps.now());
  if (!done) return ctx.reply(ctx.t("partners:member.gone"));
  const user = done.userName ?? `#${done.userId}`;
  await ctx.reply(ctx.t(action === "approve" ? "partners:member.approved" : "partners:member.rejected", { user, partner: done.partnerName }));
  await notifyRequester(deps, done, action);
}
