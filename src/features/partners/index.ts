/**
 * The partners feature: find the nearest channel partners (location pin, a typed town in
 * English, Urdu or Roman Urdu, or "nearest partner"), pick one, Telegram deep links
 * `/start p_<code>`, partner accounts (`/partner CODE` + admin approval), and the routing
 * topics `find-partner` and `talk-to-human`. docs/partners.md describes it for users.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { AppDeps, Ctx, Feature, Middleware } from "../../core/context.ts";
import { compose, onChoice } from "../../core/router.ts";
import { keyText } from "../../core/text.ts";
import type { OutboundMessage } from "../../core/types.ts";
import { assignedPartnerId, assignPartner, findPartnerByCode } from "./api.ts";
import { categoryInText, getDirectory, nearestPartners, type DirectoryPartner, type NearbyPartner } from "./directory.ts";
import { loadGazetteer, type PlaceMatch } from "./gazetteer.ts";
import { approveRequest, MAX_PENDING_REQUESTS, notifyAdminsOfRequest, notifyRequester, rejectRequest, requestMembership } from "./membership.ts";
import { placeWords } from "./place-text.ts";
import { importPartners, parsePartnerCsv } from "./repository.ts";
import { whatsappLink } from "./rows.ts";

const FLOW_WHERE = "partners.where";
const SAMPLES = fileURLToPath(new URL("../../../content/partners/sample-partners.csv", import.meta.url));

/** Phrases asking for a partner (matched inside the message, after keyText). */
const FIND_PHRASES = [
  "nearest partner", "closest partner", "partner near me", "partners near me", "find partner", "find a partner", "find my partner",
  "nearest channel partner", "nearby partner", "local partner", "qareebi partner", "qareeb partner", "qareeb tareen partner",
  "kareebi partner", "qarebi partner", "nazdeeki partner", "nazdiki partner", "partner kahan", "partner kidhar", "partner chahiye",
  "قریبی پارٹنر", "قریب ترین پارٹنر", "نزدیکی پارٹنر", "پارٹنر کہاں", "پارٹنر چاہیے", "/partners", "/nearest",
].map(keyText);

/** "mai daska se hun", "I am in gujranwala", "میں ڈسکہ سے ہوں", "sialkot mein rehta hun". */
const LOCATED = [
  /^(i am|i m|im|iam|i live|we are|i stay)( in| at| from| near)? /,
  /^(main|mai|mein|me|hum)( .{2,40})? (se|sy|say|mein|mai|main|me) (hun|hoon|hon|hu|hain|hen|rehta|rehti|rahta|rahti)\b/,
  /(mein|main|mai|me) (rehta|rehti|rahta|rahti|rehte|rehtay)/,
  /^(from|in|at) /,
  /^mera (shehar|sheher|shahar|city)/,
  /^میں .{2,40} (سے|میں) (ہوں|رہتا|رہتی)/,
  /میں (رہتا|رہتی|رہتے)/,
  /^میرا شہر/,
];

/** Sentences that surely name where the sender is, even when the town is unknown to us. */
const SURELY_LOCATED = [
  /^(i am|i m|im|i live|we are|i stay) (in|at|from) \S+/,
  /^(main|mai|mein|me|hum) .{2,40} (se|sy|say) (hun|hoon|hon|hu|hain)$/,
  /^میں .{2,40} سے (ہوں|ہیں)$/,
];

/** Creates the partners feature. */
export function createPartnersFeature(deps: AppDeps): Feature {
  const findTopic = (ctx: Ctx) => startFind(ctx, ctx.text);
  return {
    name: "partners",
    middleware: compose([
      onChoice("pt:", (ctx, rest, next) => onPartnerChoice(deps, ctx, rest, next)),
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
]);

async function onPartnerChoice(deps: AppDeps, ctx: Ctx, rest: string, next: () => Promise<void>): Promise<void> {
  const parts = rest.split(":");
  const [action] = parts;
  const choice = choiceSchema.safeParse(action === "rq" ? { action, decision: parts[1], id: parts[2] } : { action, id: parts[1] });
  if (!choice.success) return next();
  const c = choice.data;
  switch (c.action) {
    case "find":
      return startFind(ctx, "");
    case "mine":
      return showMine(ctx);
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
    const key = ` ${keyText(text)} `;
    if (FIND_PHRASES.some((p) => key.includes(` ${p} `))) return startFind(ctx, text);
    // A message that is just a town, or says where the sender is.
    const words = placeWords(text);
    if (words.length === 0 || words.length > 10) return next();
    const match = loadGazetteer().find(text);
    const k = keyText(text);
    if (!match) {
      if (!SURELY_LOCATED.some((re) => re.test(k))) return next();
      return ctx.reply(ctx.t("partners:find.unknownPlace", { text: text.slice(0, 60), howto: ctx.t("partners:find.howto") }));
    }
    const whole = match.words.split(" ").length >= words.length;
    if (whole || LOCATED.some((re) => re.test(k))) return replyForPlace(ctx, match, null);
    return next();
  };
}

/** Starts "find a partner": a place or category in the text, else the stored location, else ask. */
async function startFind(ctx: Ctx, text: string): Promise<void> {
  const match = text ? loadGazetteer().find(text) : null;
  const category = text ? await categoryInText(ctx.deps.db, placeWords(text)) : null;
  if (category) await saveProfile(ctx, { categories: category });
  if (match) return replyForPlace(ctx, match, category);
  const profile = await ctx.deps.db.sellerProfile.findUnique({ where: { userId: ctx.user.id } });
  if (profile?.latitude != null && profile.longitude != null) {
    return replyNearest(ctx, { latitude: profile.latitude, longitude: profile.longitude, label: profile.city, category });
  }
  await ctx.state.set(FLOW_WHERE, { category, retried: false });
  await ctx.reply(ctx.t("partners:find.askPlace", { howto: ctx.t("partners:find.howto") }));
}

const whereSchema = z.object({ category: z.string().nullable().catch(null), retried: z.boolean().catch(false) }).catch({ category: null, retried: false });
/** Words that are never an answer to "which town?": they go to their own feature. */
const NOT_A_PLACE = new Set(["menu", "help", "hi", "hello", "salam", "madad", "language", "zaban", "stop", "start", "مدد", "مینو", "زبان", "سلام"].map(keyText));

/** The answer to "which town are you in?". */
const whereFlow: Middleware = async (ctx, next) => {
  const c = ctx.message.content;
  if (c.kind !== "text") return next(); // pins and choices are handled by the middleware
  const { category, retried } = whereSchema.parse(ctx.state.data);
  const match = loadGazetteer().find(ctx.text);
  if (match) {
    await ctx.state.clear();
    return replyForPlace(ctx, match, category);
  }
  // A command, a long message or a second miss is probably not a town: let the others have it.
  if (ctx.text.startsWith("/") || NOT_A_PLACE.has(keyText(ctx.text)) || placeWords(ctx.text).length > 4 || retried) {
    await ctx.state.clear();
    return next();
  }
  await ctx.state.set(FLOW_WHERE, { category, retried: true });
  await ctx.reply(ctx.t("partners:find.unknownPlace", { text: ctx.text.slice(0, 60), howto: ctx.t("partners:find.howto") }));
};

async function replyForPlace(ctx: Ctx, match: PlaceMatch, category: string | null): Promise<void> {
  const { place } = match;
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
  lines.unshift(q.label ? ctx.t("partners:find.header", { place: q.label }) : ctx.t("partners:find.headerPin"));
  found.forEach((p, i) => lines.push("", ...partnerLines(ctx, p, i + 1)));
  lines.push("", ctx.t("partners:find.pick"));
  const nearest = found[0]!;
  const message: OutboundMessage = {
    text: lines.join("\n"),
    choices: found.map((p) => ({ data: `pt:pick:${p.id}`, label: ctx.t("partners:find.pickButton", { name: p.name }) })),
    location: { latitude: nearest.latitude, longitude: nearest.longitude, name: nearest.name, address: nearest.address || nearest.city },
  };
  await ctx.reply(message);
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
  const profile = await ctx.deps.db.sellerProfile.findUnique({ where: { userId: ctx.user.id } });
  if (profile?.latitude != null && profile.longitude != null) {
    await ctx.reply(ctx.t("partners:human.nearest"));
    return replyNearest(ctx, { latitude: profile.latitude, longitude: profile.longitude, label: profile.city, category: null });
  }
  await ctx.reply(ctx.t("partners:human.nearest"));
  return startFind(ctx, ctx.text);
}

async function saveProfile(ctx: Ctx, data: { city?: string | null; latitude?: number; longitude?: number; categories?: string }): Promise<void> {
  await ctx.deps.db.sellerProfile.upsert({ where: { userId: ctx.user.id }, create: { userId: ctx.user.id, ...data }, update: data });
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
