/**
 * The guided conversation in which a partner creates an event: title → date and time (PKT)
 * → venue → location pin or skip → seats → preview → publish or keep as draft. "cancel"
 * leaves at any step (the core handles it). The data between steps lives in ctx.state and
 * is validated with zod every time it is read back.
 */
import { z } from "zod";
import type { Ctx, Middleware, Next } from "../../core/context.ts";
import { UserFacingError } from "../../core/errors.ts";
import { asciiDigits, keyText } from "../../core/text.ts";
import { eventCard } from "./render.ts";
import { actingPartnerId, createEvent, MAX_CAPACITY } from "./service.ts";
import { parsePktDateTime } from "./time.ts";

/** The flow's name in ConversationState. */
export const CREATE_FLOW = "events.create";

/** Without a typed end time an event lasts this long (a summit is a morning or a day). */
const DEFAULT_DURATION_MS = 4 * 3600_000;

const draftSchema = z.object({
  step: z.enum(["title", "when", "venue", "pin", "capacity", "preview"]),
  title: z.string().min(1).max(120).optional(),
  startsAt: z.iso.datetime().optional(),
  endsAt: z.iso.datetime().optional(),
  venueName: z.string().max(120).optional(),
  venueAddress: z.string().max(300).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  capacity: z.number().int().min(1).max(MAX_CAPACITY).optional(),
});
type Draft = z.infer<typeof draftSchema>;

const SKIP = new Set(["skip", "no", "nahi", "nahin", "agay", "aage", "آگے", "نہیں", "چھوڑیں"]);

/** Starts the flow for partners (and admins); everyone else gets the reason. */
export async function startCreateFlow(ctx: Ctx): Promise<void> {
  if (ctx.user.role !== "partner" && ctx.user.role !== "admin") throw new UserFacingError("events:errors.partnersOnly");
  if (ctx.user.role === "partner" && (await actingPartnerId(ctx.deps, ctx.user)) === null) throw new UserFacingError("events:errors.partnerNotApproved");
  await ctx.state.set(CREATE_FLOW, { step: "title" } satisfies Draft);
  await ctx.reply(`${ctx.t("events:create.start")}\n\n${ctx.t("events:create.askTitle")}`);
}

/** Handles each message while the partner is in the flow. */
export const createFlow: Middleware = async (ctx, next) => {
  const parsed = draftSchema.safeParse(ctx.state.data);
  if (!parsed.success) {
    // Stored data we cannot read (an older version, a bad write): start again rather than guess.
    await ctx.state.clear();
    return ctx.reply(ctx.t("events:create.lost"));
  }
  const draft = parsed.data;
  const content = ctx.message.content;
  if (content.kind === "choice" && !content.data.startsWith("ev:new:")) return next();
  switch (draft.step) {
    case "title":
      return stepTitle(ctx, draft);
    case "when":
      return stepWhen(ctx, draft);
    case "venue":
      return stepVenue(ctx, draft);
    case "pin":
      return stepPin(ctx, draft);
    case "capacity":
      return stepCapacity(ctx, draft);
    case "preview":
      return stepPreview(ctx, draft, next);
  }
};

async function stepTitle(ctx: Ctx, draft: Draft): Promise<void> {
  const title = ctx.text;
  if (title.length < 3 || title.length > 120) return ctx.reply(ctx.t("events:create.badTitle"));
  await ctx.state.set(CREATE_FLOW, { ...draft, step: "when", title });
  await ctx.reply(ctx.t("events:create.askWhen"));
}

async function stepWhen(ctx: Ctx, draft: Draft): Promise<void> {
  const parsed = ctx.text ? parsePktDateTime(ctx.text, ctx.deps.now()) : null;
  if (!parsed) return ctx.reply(ctx.t("events:create.badWhen"));
  if (parsed.startsAt <= ctx.deps.now()) return ctx.reply(ctx.t("events:errors.inPast"));
  const endsAt = parsed.endsAt ?? new Date(parsed.startsAt.getTime() + DEFAULT_DURATION_MS);
  await ctx.state.set(CREATE_FLOW, { ...draft, step: "venue", startsAt: parsed.startsAt.toISOString(), endsAt: endsAt.toISOString() });
  await ctx.reply(ctx.t("events:create.askVenue"));
}

async function stepVenue(ctx: Ctx, draft: Draft): Promise<void> {
  const text = ctx.text;
  if (text.length < 3) return ctx.reply(ctx.t("events:create.badVenue"));
  // "Name, address" or "Name\naddress"; a bare name doubles as the address.
  const cut = text.search(/[,،\n]/);
  const venueName = (cut > 0 ? text.slice(0, cut) : text).trim().slice(0, 120);
  const venueAddress = (cut > 0 ? text.slice(cut + 1).trim() : text).slice(0, 300) || venueName;
  await ctx.state.set(CREATE_FLOW, { ...draft, step: "pin", venueName, venueAddress });
  await ctx.reply({ text: ctx.t("events:create.askPin"), choices: [{ data: "ev:new:skip", label: ctx.t("events:create.skip") }] });
}

async function stepPin(ctx: Ctx, draft: Draft): Promise<void> {
  const c = ctx.message.content;
  if (c.kind === "location") {
    await ctx.state.set(CREATE_FLOW, { ...draft, step: "capacity", latitude: c.latitude, longitude: c.longitude });
    return ctx.reply(ctx.t("events:create.askCapacity"));
  }
  if ((c.kind === "choice" && c.data === "ev:new:skip") || SKIP.has(keyText(ctx.text))) {
    await ctx.state.set(CREATE_FLOW, { ...draft, step: "capacity" });
    return ctx.reply(ctx.t("events:create.askCapacity"));
  }
  await ctx.reply({ text: ctx.t("events:create.badPin"), choices: [{ data: "ev:new:skip", label: ctx.t("events:create.skip") }] });
}

async function stepCapacity(ctx: Ctx, draft: Draft): Promise<void> {
  const digits = asciiDigits(ctx.text).replace(/[\s,]/g, "");
  if (!/^[-−]?\d{1,9}$/.test(digits)) return ctx.reply(ctx.t("events:create.badCapacity"));
  const capacity = Number(digits.replace("−", "-"));
  if (capacity < 1 || capacity > MAX_CAPACITY) return ctx.reply(ctx.t("events:errors.capacity", { max: MAX_CAPACITY }));
  const next: Draft = { ...draft, step: "preview", capacity };
  await ctx.state.set(CREATE_FLOW, next);
  await showPreview(ctx, next);
}

async function showPreview(ctx: Ctx, draft: Draft): Promise<void> {
  const view = toView(draft);
  await ctx.reply({
    text: `${ctx.t("events:create.preview")}\n\n${eventCard(view, ctx.lang, ctx.t)}\n${ctx.t("events:card.capacity", { capacity: view.capacity })}`,
    choices: [
      { data: "ev:new:publish", label: ctx.t("events:create.publish") },
      { data: "ev:new:draft", label: ctx.t("events:create.saveDraft") },
    ],
  });
}

async function stepPreview(ctx: Ctx, draft: Draft, next: Next): Promise<void> {
  const c = ctx.message.content;
  const action = c.kind === "choice" ? c.data.slice("ev:new:".length) : keyText(ctx.text);
  const status = action === "publish" || action === "publish karo" || action === "شائع کریں" ? "published" : action === "draft" ? "draft" : null;
  if (!status) {
    if (c.kind === "choice") return next();
    return showPreview(ctx, draft);
  }
  const view = toView(draft);
  const partnerId = ctx.user.role === "partner" ? await actingPartnerId(ctx.deps, ctx.user) : null;
  if (ctx.user.role === "partner" && partnerId === null) throw new UserFacingError("events:errors.partnerNotApproved");
  const event = await createEvent(ctx.deps, {
    title: { en: view.titleEn },
    description: { en: "" },
    venue: { name: view.venueName, address: view.venueAddress, latitude: draft.latitude, longitude: draft.longitude },
    startsAt: view.startsAt,
    endsAt: view.endsAt,
    capacity: view.capacity,
    partnerId,
    createdByUserId: ctx.user.id,
    status,
  }).catch(async (error: unknown) => {
    // The time may have passed while the partner was typing: send them back to that step.
    if (error instanceof UserFacingError && error.key === "events:errors.inPast") await ctx.state.set(CREATE_FLOW, { ...draft, step: "when" });
    throw error;
  });
  await ctx.state.clear();
  const choices = [{ data: `ev:manage:${event.id}`, label: ctx.t("events:manage.open") }];
  if (status === "published") choices.unshift({ data: `ev:ann:${event.id}`, label: ctx.t("events:manage.announce") });
  await ctx.reply({ text: ctx.t(status === "published" ? "events:create.published" : "events:create.drafted", { id: event.id }), choices });
}

function toView(draft: Draft) {
  const startsAt = new Date(draft.startsAt ?? 0);
  return {
    id: 0,
    titleEn: draft.title ?? "",
    titleUr: null,
    titleUrLatn: null,
    descriptionEn: "",
    descriptionUr: null,
    descriptionUrLatn: null,
    venueName: draft.venueName ?? "",
    venueAddress: draft.venueAddress ?? "",
    latitude: draft.latitude ?? null,
    longitude: draft.longitude ?? null,
    startsAt,
    endsAt: new Date(draft.endsAt ?? startsAt.getTime() + DEFAULT_DURATION_MS),
    capacity: draft.capacity ?? 0,
    status: "preview",
  };
}
