/**
 * Events in chat: sellers list upcoming summits (near a town they name) and answer Going /
 * Maybe / Can't, by button, number or in words ("aaunga", "nahi aa sakta"); partners create
 * events in a guided conversation, announce them, export attendees and cancel.
 * Choice data: `ev:<action>[:<eventId>[:<answer>]]`.
 */
import { z } from "zod";
import type { AppDeps, Ctx, Feature, Middleware } from "../../core/context.ts";
import { UserFacingError } from "../../core/errors.ts";
import { compose, onChoice, onWords } from "../../core/router.ts";
import type { Choice, OutboundMessage } from "../../core/types.ts";
import type { PlaceRef, RsvpValue } from "../../core/understanding.ts";
import { haversineKm } from "../partners/gazetteer.ts";
import { announceEvent, previewAnnouncement } from "./announce.ts";
import { rsvpCounts } from "./api.ts";
import { CREATE_FLOW, createFlow, startCreateFlow } from "./create-flow.ts";
import { attendeesCsv, eventIcs, listAttendees } from "./export.ts";
import { createReminderJob } from "./reminders.ts";
import { eventCard, eventTitle, RSVP_ANSWERS, rsvpChoices } from "./render.ts";
import { setRsvp } from "./rsvp.ts";
import { actingPartnerId, assertCanManage, assertMayManageEvents, cancelEvent, upcomingEvents, type EventRow } from "./service.ts";
import { seedSampleEvents } from "./seed.ts";
import { formatEventTime, formatPktShort } from "./time.ts";

// Partners' command to create an event (whole messages after keyText).
const CREATE_WORDS = ["new event", "create event", "/newevent", "naya event", "event banao", "نیا ایونٹ", "ایونٹ بنائیں"];
/** After one event is shown, a typed answer ("aaunga", "haan", "nahi aa sakta") is the RSVP. */
const ANSWER_FLOW = "events.answer";
const answerFlowSchema = z.object({ eventId: z.number().int().positive() });
/** Events this close to a named town count as near it. */
const NEAR_KM = 60;

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
const rsvpSchema = z.tuple([idSchema, z.enum(RSVP_ANSWERS)]);

/** Creates the events feature. */
export function createEventsFeature(deps: AppDeps): Feature {
  return {
    name: "events",
    flows: { [CREATE_FLOW]: createFlow, [ANSWER_FLOW]: answerFlow },
    middleware: compose([
      onChoice("ev:rsvp:", (ctx, rest) => rsvp(ctx, rest)),
      onChoice("ev:show:", (ctx, rest) => withId(ctx, rest, (id) => showEvent(ctx, id))),
      onChoice("ev:ics:", (ctx, rest) => withId(ctx, rest, (id) => sendIcs(ctx, id))),
      onChoice("ev:list", (ctx, rest, next) => (rest ? next() : listEvents(ctx))),
      // A flow button pressed after the flow ended (expired, cancelled): say so, do not restart.
      onChoice("ev:new", (ctx, rest) => (rest ? ctx.reply(ctx.t("events:create.lost")) : startCreateFlow(ctx))),
      onChoice("ev:mine", (ctx, rest, next) => (rest ? next() : myEvents(ctx))),
      onChoice("ev:manage:", (ctx, rest) => withId(ctx, rest, (id) => manage(ctx, id))),
      onChoice("ev:annok:", (ctx, rest) => withId(ctx, rest, (id) => announce(ctx, id))),
      onChoice("ev:ann:", (ctx, rest) => withId(ctx, rest, (id) => announcePreview(ctx, id))),
      onChoice("ev:att:", (ctx, rest) => withId(ctx, rest, (id) => attendees(ctx, id))),
      onChoice("ev:cancelok:", (ctx, rest) => withId(ctx, rest, (id) => cancel(ctx, id))),
      onChoice("ev:cancel:", (ctx, rest) => withId(ctx, rest, (id) => cancelConfirm(ctx, id))),
      onChoice("ev:pub:", (ctx, rest) => withId(ctx, rest, (id) => publish(ctx, id))),
      onWords(["/start"], (ctx, args, next) => {
        const link = /^e_(\d{1,9})$/i.exec(args);
        return link ? showEvent(ctx, Number(link[1])) : next();
      }),
      onWords(CREATE_WORDS, (ctx, args, next) => (args ? next() : startCreateFlow(ctx))),
      onWords(["/myevents"], (ctx, args, next) => (args ? next() : mine(ctx))),
      async (ctx, next) => {
        const u = ctx.message.content.kind === "text" ? ctx.understanding : null;
        if (u?.intent === "events.list") return listEvents(ctx, u.place);
        if (u?.intent === "events.mine") return mine(ctx);
        if (u?.intent === "events.rsvp") return typedRsvp(ctx, u.entities.rsvp);
        return next();
      },
    ]),
    topics: {
      "summit-events": (ctx) => listEvents(ctx),
      "event-rsvp": (ctx) => myRsvps(ctx),
    },
    menu: [
      { labelKey: "events:menu.events", data: "ev:list" },
      { labelKey: "events:menu.new", data: "ev:new", roles: ["partner", "admin"] },
      { labelKey: "events:menu.mine", data: "ev:mine", roles: ["partner", "admin"] },
    ],
    seed: async () => void (await seedSampleEvents(deps)),
    jobs: [createReminderJob(deps)],
  };
}

async function withId(ctx: Ctx, raw: string, run: (id: number) => Promise<void>): Promise<void> {
  const id = idSchema.safeParse(raw);
  if (!id.success) return ctx.reply(ctx.t("common:staleChoice"));
  return run(id.data);
}

/**
 * An event the user may manage. Who they are is checked before the event is read, so a
 * forged manage button tells a seller nothing (not even whether the id exists).
 */
async function loadManaged(ctx: Ctx, id: number): Promise<EventRow> {
  await assertMayManageEvents(ctx.deps, ctx.user);
  const event = await ctx.deps.db.event.findUnique({ where: { id } });
  if (!event) throw new UserFacingError("events:errors.notFound");
  await assertCanManage(ctx.deps, ctx.user, event);
  return event;
}

/**
 * An event as sellers may see it (the rule of `ev:show` and `/start e_<id>`): drafts do
 * not exist for them, a cancelled event is named as cancelled. Replies and returns null
 * otherwise; every seller-side button (show, .ics) goes through here.
 */
async function visibleEvent(ctx: Ctx, id: number): Promise<EventRow | null> {
  const event = await ctx.deps.db.event.findUnique({ where: { id } });
  if (!event || event.status === "draft") {
    await ctx.reply(ctx.t("events:errors.rsvp.notFound"));
    return null;
  }
  if (event.status === "cancelled") {
    await ctx.reply(ctx.t("events:errors.rsvp.cancelled", { title: eventTitle(event, ctx.lang) }));
    return null;
  }
  return event;
}

/**
 * Upcoming published events: one message each with RSVP buttons where there are buttons;
 * else a numbered list to pick from. With a town, the events near it (or all, saying so).
 */
async function listEvents(ctx: Ctx, place?: PlaceRef): Promise<void> {
  let events = await upcomingEvents(ctx.deps, place ? 50 : 5);
  if (events.length === 0) return ctx.reply(ctx.t("events:list.none"));
  let header: string | undefined;
  if (place) {
    const label = ctx.lang === "ur" && place.urdu ? place.urdu : place.name;
    const near = events.filter((e) => e.latitude !== null && e.longitude !== null && haversineKm(place.latitude, place.longitude, e.latitude, e.longitude) <= NEAR_KM);
    header = ctx.t(near.length ? "events:list.near" : "events:list.noneNear", { place: label });
    events = (near.length ? near : events).slice(0, 5);
  }
  if (header) await ctx.reply(header);
  if (events.length === 1) return showEvent(ctx, events[0]!.id);
  if (ctx.capabilities.buttons) {
    await ctx.reply(ctx.t("events:list.title", { count: events.length }));
    for (const e of events) await ctx.reply({ text: eventCard(e, ctx.lang, ctx.t, await rsvpCounts(ctx.deps.db, e.id)), choices: rsvpChoices(e.id, ctx.t) });
    return;
  }
  // Numbered replies resolve against the last list sent, so one list, then one event at a time.
  await ctx.reply({
    text: `${ctx.t("events:list.title", { count: events.length })}\n${ctx.t("events:list.pick")}`,
    choices: events.map((e) => ({ data: `ev:show:${e.id}`, label: `${eventTitle(e, ctx.lang)} · ${formatPktShort(e.startsAt, ctx.lang)} · ${e.venueName}` })),
  });
}

/** One event with its RSVP choices (also the `/start e_<id>` deep link). */
async function showEvent(ctx: Ctx, id: number): Promise<void> {
  const event = await visibleEvent(ctx, id);
  if (!event) return;
  const card = eventCard(event, ctx.lang, ctx.t, await rsvpCounts(ctx.deps.db, id));
  if (event.startsAt <= ctx.deps.now()) return ctx.reply(`${card}\n\n${ctx.t("events:errors.rsvp.past")}`);
  const mine = await ctx.deps.db.rsvp.findUnique({ where: { eventId_userId: { eventId: id, userId: ctx.user.id } } });
  const status = mine ? `\n\n${ctx.t("events:rsvp.current", { answer: ctx.t(`events:rsvp.status.${mine.status}`) })}` : "";
  const location = event.latitude !== null && event.longitude !== null ? { latitude: event.latitude, longitude: event.longitude, name: event.venueName, address: event.venueAddress } : undefined;
  // In a private chat the next words may answer it ("aaunga", "haan"): remember which event.
  if (ctx.message.chat.kind === "private") await ctx.state.set(ANSWER_FLOW, { eventId: id } satisfies z.infer<typeof answerFlowSchema>, 60);
  await ctx.reply({ text: `${card}${status}`, choices: rsvpChoices(id, ctx.t), location });
}

/** A typed answer right after an event was shown: going / maybe / no, or yes / no. */
const answerFlow: Middleware = async (ctx, next) => {
  if (ctx.message.content.kind !== "text") return next();
  const parsed = answerFlowSchema.safeParse(ctx.state.data);
  const u = ctx.understanding;
  const answer: RsvpValue | undefined = u?.rsvp ?? (u?.answer === "yes" ? "going" : u?.answer === "no" ? "no" : undefined);
  await ctx.state.clear();
  if (!parsed.success || !answer || u?.intent === "optout") return next();
  return rsvp(ctx, `${parsed.data.eventId}:${answer}`);
};

/**
 * An RSVP in words outside the answer flow: for the event whose choices were last offered
 * (numbered lists remember them), else the only upcoming event, else ask which one.
 */
async function typedRsvp(ctx: Ctx, answer: RsvpValue | undefined): Promise<void> {
  const offered = ctx.choices.map((c) => /^ev:rsvp:(\d+):/.exec(c.data)?.[1]).find((id) => id !== undefined);
  const events = offered ? [] : await upcomingEvents(ctx.deps, 6);
  const eventId = offered ? Number(offered) : events.length === 1 ? events[0]!.id : undefined;
  if (eventId !== undefined && answer) return rsvp(ctx, `${eventId}:${answer}`);
  if (eventId !== undefined) return showEvent(ctx, eventId);
  if (events.length === 0) return ctx.reply(ctx.t("events:list.none"));
  await ctx.reply({
    text: ctx.t("events:rsvp.which"),
    choices: events.map((e) => ({ data: answer ? `ev:rsvp:${e.id}:${answer}` : `ev:show:${e.id}`, label: `${eventTitle(e, ctx.lang)} · ${formatPktShort(e.startsAt, ctx.lang)}` })),
  });
}

/** "my events": a partner's own events; a seller's answers. */
async function mine(ctx: Ctx): Promise<void> {
  return ctx.user.role === "partner" || ctx.user.role === "admin" ? myEvents(ctx) : myRsvps(ctx);
}

async function rsvp(ctx: Ctx, rest: string): Promise<void> {
  const parsed = rsvpSchema.safeParse(rest.split(":"));
  if (!parsed.success) return ctx.reply(ctx.t("common:staleChoice"));
  const [eventId, answer] = parsed.data;
  const result = await setRsvp(ctx.deps, eventId, ctx.user.id, answer);
  if (result.kind === "unavailable") {
    const title = result.event ? eventTitle(result.event, ctx.lang) : "";
    return answerPrivately(ctx, { text: ctx.t(`events:errors.rsvp.${result.reason === "draft" ? "notFound" : result.reason}`, { title }) });
  }
  const title = eventTitle(result.event, ctx.lang);
  const when = formatEventTime(result.event.startsAt, result.event.endsAt, ctx.lang);
  if (result.kind === "going") {
    const file = ctx.capabilities.files ? icsFile(ctx, result.event) : undefined;
    return answerPrivately(ctx, { text: ctx.t("events:rsvp.going", { title, when, venue: result.event.venueName }), file });
  }
  if (result.kind === "waitlist") return answerPrivately(ctx, { text: ctx.t("events:rsvp.waitlist", { title, position: result.position }) });
  return answerPrivately(ctx, { text: ctx.t(`events:rsvp.${result.kind}`, { title }) });
}

/**
 * An RSVP pressed under an announcement in a group is answered in the person's private
 * chat (200 confirmations would flood the group); in the group only when that fails
 * (on Telegram, someone who never started the bot cannot be written to first).
 */
async function answerPrivately(ctx: Ctx, message: OutboundMessage): Promise<void> {
  if (ctx.message.chat.kind !== "group") return ctx.reply(message);
  try {
    await ctx.deps.messenger.send({ channel: ctx.message.channel, chatId: ctx.message.sender.id, userId: ctx.user.id, lang: ctx.lang }, message);
  } catch {
    await ctx.reply(message);
  }
}

function icsFile(ctx: Ctx, event: EventRow) {
  return { filename: `event-${event.id}.ics`, mimeType: "text/calendar", content: eventIcs(event, { lang: ctx.lang, now: ctx.deps.now() }) };
}

async function sendIcs(ctx: Ctx, id: number): Promise<void> {
  const event = await visibleEvent(ctx, id);
  if (!event) return;
  if (!ctx.capabilities.files) return ctx.reply(ctx.t("events:ics.noFiles"));
  await ctx.reply({ text: ctx.t("events:ics.caption", { title: eventTitle(event, ctx.lang) }), file: icsFile(ctx, event) });
}

/** The user's own answers to upcoming events. */
async function myRsvps(ctx: Ctx): Promise<void> {
  const rows = await ctx.deps.db.rsvp.findMany({
    where: { userId: ctx.user.id, event: { status: "published", startsAt: { gt: ctx.deps.now() } } },
    include: { event: true },
    orderBy: { event: { startsAt: "asc" } },
    take: 10,
  });
  if (rows.length === 0) {
    await ctx.reply(ctx.t("events:rsvp.noneAnswered"));
    return listEvents(ctx);
  }
  const lines = rows.map((r) => `• ${eventTitle(r.event, ctx.lang)}: ${ctx.t(`events:rsvp.status.${r.status}`)}\n  ${formatEventTime(r.event.startsAt, r.event.endsAt, ctx.lang)}`);
  // The calendar files again for what they are going to (a phone lost, a chat cleared),
  // before the list, so that the list's choices stay the last ones offered.
  if (ctx.capabilities.files) {
    for (const r of rows.filter((row) => row.status === "going").slice(0, ICS_AGAIN)) {
      await ctx.reply({ text: ctx.t("events:ics.caption", { title: eventTitle(r.event, ctx.lang) }), file: icsFile(ctx, r.event) });
    }
  }
  await ctx.reply({
    text: `${ctx.t("events:rsvp.mine")}\n\n${lines.join("\n")}`,
    choices: rows.map((r) => ({ data: `ev:show:${r.eventId}`, label: eventTitle(r.event, ctx.lang) })),
  });
}

/** Calendar files "my events" sends again at most (one message each). */
const ICS_AGAIN = 3;

/** A partner's own events (admins: all), upcoming and drafts. */
async function myEvents(ctx: Ctx): Promise<void> {
  if (ctx.user.role !== "partner" && ctx.user.role !== "admin") throw new UserFacingError("events:errors.partnersOnly");
  const partnerId = ctx.user.role === "partner" ? await actingPartnerId(ctx.deps, ctx.user) : null;
  if (ctx.user.role === "partner" && partnerId === null) throw new UserFacingError("events:errors.partnerNotApproved");
  const events = await ctx.deps.db.event.findMany({
    where: { ...(partnerId !== null ? { partnerId } : {}), status: { in: ["draft", "published"] }, endsAt: { gt: ctx.deps.now() } },
    orderBy: { startsAt: "asc" },
    take: 10,
  });
  if (events.length === 0) return ctx.reply({ text: ctx.t("events:manage.none"), choices: [{ data: "ev:new", label: ctx.t("events:menu.new") }] });
  const lines = events.map((e, i) => `${i + 1}. ${eventTitle(e, ctx.lang)} (#${e.id}, ${ctx.t(`events:status.${e.status}`)})\n   ${formatEventTime(e.startsAt, e.endsAt, ctx.lang)}`);
  await ctx.reply({ text: `${ctx.t("events:manage.title")}\n\n${lines.join("\n")}`, choices: events.map((e) => ({ data: `ev:manage:${e.id}`, label: eventTitle(e, ctx.lang) })) });
}

/** One of the partner's events with what they can do with it. */
async function manage(ctx: Ctx, id: number): Promise<void> {
  const event = await loadManaged(ctx, id);
  const counts = await rsvpCounts(ctx.deps.db, id);
  const choices: Choice[] = [];
  if (event.status === "draft") choices.push({ data: `ev:pub:${id}`, label: ctx.t("events:manage.publish") });
  if (event.status === "published") choices.push({ data: `ev:ann:${id}`, label: ctx.t("events:manage.announce") });
  choices.push({ data: `ev:att:${id}`, label: ctx.t("events:manage.attendees") });
  if (event.status !== "cancelled") choices.push({ data: `ev:cancel:${id}`, label: ctx.t("events:manage.cancel") });
  const bot = ctx.deps.config.telegramBotUsername;
  const link = event.status === "published" ? `\n${bot ? ctx.t("events:manage.deepLinkBot", { id, bot }) : ctx.t("events:manage.deepLink", { id })}` : "";
  await ctx.reply({ text: `${eventCard(event, ctx.lang, ctx.t, counts)}\n\n${ctx.t("events:manage.counts", { ...counts })}${link}`, choices });
}

async function publish(ctx: Ctx, id: number): Promise<void> {
  const event = await loadManaged(ctx, id);
  if (event.status !== "draft") return ctx.reply(ctx.t(`events:status.${event.status}`));
  if (event.startsAt <= ctx.deps.now()) throw new UserFacingError("events:errors.inPast");
  await ctx.deps.db.event.update({ where: { id }, data: { status: "published" } });
  await ctx.reply({ text: ctx.t("events:create.published", { id }), choices: [{ data: `ev:ann:${id}`, label: ctx.t("events:manage.announce") }] });
}

async function announcePreview(ctx: Ctx, id: number): Promise<void> {
  const { event, recipients } = await previewAnnouncement(ctx.deps, id, ctx.user);
  await ctx.reply({
    text: ctx.t("events:announce.confirm", { title: eventTitle(event, ctx.lang), count: recipients }),
    choices: [{ data: `ev:annok:${id}`, label: ctx.t("events:announce.send") }],
  });
}

async function announce(ctx: Ctx, id: number): Promise<void> {
  const { recipients } = await announceEvent(ctx.deps, id, ctx.user);
  await ctx.reply(ctx.t("events:announce.queued", { count: recipients }));
}

/** The attendee list: a CSV file where the channel takes files, else a summary. */
async function attendees(ctx: Ctx, id: number): Promise<void> {
  const event = await loadManaged(ctx, id);
  const list = await listAttendees(ctx.deps.db, id);
  const counts = await rsvpCounts(ctx.deps.db, id);
  const title = eventTitle(event, ctx.lang);
  if (ctx.capabilities.files) {
    return ctx.reply({ text: ctx.t("events:attendees.file", { title, ...counts }), file: { filename: `event-${id}-attendees.csv`, mimeType: "text/csv", content: attendeesCsv(list) } });
  }
  const going = list.filter((a) => a.status === "going").slice(0, 20).map((a) => `• ${a.name}${a.phone ? ` ${a.phone}` : ""}`);
  const more = counts.going > going.length ? `\n${ctx.t("events:attendees.more", { count: counts.going - going.length })}` : "";
  await ctx.reply(`${ctx.t("events:attendees.summary", { title, ...counts })}${going.length ? `\n\n${going.join("\n")}` : ""}${more}`);
}

async function cancelConfirm(ctx: Ctx, id: number): Promise<void> {
  const event = await loadManaged(ctx, id);
  const counts = await rsvpCounts(ctx.deps.db, id);
  await ctx.reply({
    text: ctx.t("events:cancel.confirm", { title: eventTitle(event, ctx.lang), count: counts.going + counts.maybe + counts.waitlist }),
    choices: [{ data: `ev:cancelok:${id}`, label: ctx.t("events:cancel.yes") }],
  });
}

async function cancel(ctx: Ctx, id: number): Promise<void> {
  const event = await loadManaged(ctx, id);
  const { notified } = await cancelEvent(ctx.deps, id);
  await ctx.reply(ctx.t("events:cancel.done", { title: eventTitle(event, ctx.lang), count: notified }));
}
