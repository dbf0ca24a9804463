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
import { formatEventTime, parsePktDateTime } from "./time.ts";

/** The flow's name in ConversationState. */
export const CREATE_FLOW = "events.create";

/** Without a typed end time an event lasts this long (a summit is a morning or a day). */
const DEFAULT_DURATION_MS = 4 * 3600_000;

const draftSchema = z.object({
  step: z.enum(["title", "when", "whenConfirm", "venue", "address", "pin", "capacity", "preview"]),
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
    case "whenConfirm":
      return stepWhenConfirm(ctx, draft);
    case "venue":
      return stepVenue(ctx, draft);
    case "address":
      return stepAddress(ctx, draft);
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
  const when = { startsAt: parsed.startsAt.toISOString(), endsAt: endsAt.toISOString() };
  if (!parsed.yearGiven) {
    // "20 Dec" means the next 20 December: say which day and year that is, and ask.
    await ctx.state.set(CREATE_FLOW, { ...draft, step: "whenConfirm", ...when });
    return askWhenConfirm(ctx, parsed.startsAt, endsAt);
  }
  await ctx.state.set(CREATE_FLOW, { ...draft, step: "venue", ...when });
  await ctx.reply(ctx.t("events:create.askVenue"));
}

function askWhenConfirm(ctx: Ctx, startsAt: Date, endsAt: Date): Promise<void> {
  return ctx.reply({
    text: ctx.t("events:create.confirmWhen", { when: formatEventTime(startsAt, endsAt, ctx.lang) }),
    choices: [
      { data: "ev:new:when:yes", label: ctx.t("events:create.whenYes") },
      { data: "ev:new:when:no", label: ctx.t("events:create.whenNo") },
    ],
  });
}

/** The answer to "That is Sun, 20 Dec 2026 …. Is that right?": yes → the venue; no → the date again. */
async function stepWhenConfirm(ctx: Ctx, draft: Draft): Promise<void> {
  const c = ctx.message.content;
  const answer = c.kind === "choice" ? c.data.slice("ev:new:when:".length) : ctx.understanding?.answer === "yes" ? "yes" : ctx.understanding?.answer === "no" ? "no" : null;
  if (answer === "yes") {
    await ctx.state.set(CREATE_FLOW, { ...draft, step: "venue" });
    return ctx.reply(ctx.t("events:create.askVenue"));
  }
  if (answer === "no") {
    await ctx.state.set(CREATE_FLOW, { ...draft, step: "when", startsAt: undefined, endsAt: undefined });
    return ctx.reply(ctx.t("events:create.askWhen"));
  }
  // Something else: perhaps a corrected date ("20 Dec 2027 10am").
  if (c.kind === "text" && parsePktDateTime(ctx.text, ctx.deps.now())) return stepWhen(ctx, draft);
  return askWhenConfirm(ctx, new Date(draft.startsAt ?? 0), new Date(draft.endsAt ?? 0));
}

async function stepVenue(ctx: Ctx, draft: Draft): Promise<void> {
  const text = ctx.text;
  if (text.length < 3) return ctx.reply(ctx.t("events:create.badVenue"));
  // "Name, address" or "Name\naddress". A bare name gets its own question for the address,
  // so the address typed next is not read as the answer to the pin question.
  const cut = text.search(/[,،\n]/);
  const venueName = (cut > 0 ? text.slice(0, cut) : text).trim().slice(0, 120);
  const venueAddress = cut > 0 ? text.slice(cut + 1).trim().slice(0, 300) : "";
  if (!venueAddress) {
    await ctx.state.set(CREATE_FLOW, { ...draft, step: "address", venueName });
    return ctx.reply(ctx.t("events:create.askAddress", { venue: venueName }));
  }
  await askPin(ctx, { ...draft, venueName, venueAddress });
}

async function stepAddress(ctx: Ctx, draft: Draft): Promise<void> {
  const text = ctx.text.trim();
  if (text.length < 3) return ctx.reply(ctx.t("events:create.askAddress", { venue: draft.venueName ?? "" }));
  await askPin(ctx, { ...draft, venueAddress: text.slice(0, 300) });
}

async function askPin(ctx: Ctx, draft: Draft): Promise<void> {
  await ctx.state.set(CREATE_FLOW, { ...draft, step: "pin" });
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
  }, { refuseDuplicate: true }).catch(async (error: unknown) => {
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
