/**
 * The broadcasts feature in chat: opt-out (STOP wins over everything, also inside flows; a
 * message that only might mean stop asks "Stop announcements? 1 Yes 2 No" first; a complaint
 * never unsubscribes: the understanding step decides), START, the WhatsApp consent question, Telegram group linking, composing a broadcast
 * (preview → confirm → queued) and reports/controls. Delivery is the outbox worker job.
 */
import { z } from "zod";
import type { AppDeps, Ctx, Feature, Middleware, Next } from "../../core/context.ts";
import { UserFacingError } from "../../core/errors.ts";
import { compose, onChoice, onWords } from "../../core/router.ts";
import { partnerIdOfMember } from "../partners/api.ts";
import { groupAdded, groupRemoved, issueLinkCode, LINK_CODE_MINUTES, linkGroup, migrateGroup } from "./groups.ts";
import { consentAnswerOf } from "./phrases.ts";
import { broadcastReport, reportText } from "./report.ts";
import { broadcastStatus, controlBroadcast, createBroadcast, listBroadcasts, previewBroadcast, senderScope, type BroadcastAction } from "./service.ts";
import { markAsked, optIn, optOut, subscriptionStatus, SUB } from "./subscriptions.ts";
import { audienceSchema, TOPICS, type Audience, type BroadcastContent } from "./types.ts";
import type { ChannelId } from "../../core/types.ts";
import { createOutboxWorker } from "./worker.ts";

const FLOW = "broadcasts.compose";
/** "Do you want to stop announcements? 1 Yes 2 No", after a message that only might mean stop. */
const STOP_FLOW = "broadcasts.stop";
const BROADCAST_WORDS = ["/broadcast", "broadcast", "/announce", "announce", "new broadcast", "اعلان بھیجیں", "elan bhejo", "broadcast bhejo"];

const flowSchema = z.object({
  step: z.enum(["audience", "city", "category", "text", "confirm"]),
  audience: audienceSchema.optional(),
  text: z.string().max(3500).optional(),
});
type FlowData = z.infer<typeof flowSchema>;

/** Creates the broadcasts feature (middleware, compose flow, topics, outbox worker job). */
export function createBroadcastsFeature(deps: AppDeps): Feature {
  // Users this process already subscribed on first contact: spares a write per message.
  const subscribed = new Set<number>();
  return {
    name: "broadcasts",
    // STOP wins everywhere, also inside another feature's flow.
    beforeFlows: optOutBeforeFlows,
    middleware: compose([
      platformEvents,
      groupCommands,
      onChoice("bc:stop:", stopAnswer),
      optOutWords,
      optInWords,
      onChoice("bc:consent:", consentAnswer),
      consentWords,
      onWords(["/linkcode", "linkcode", "link group", "/linkgroup"], linkCode),
      onWords(BROADCAST_WORDS, broadcastCommand),
      onChoice("bc:new", (ctx) => startCompose(ctx)),
      firstContact(subscribed),
    ]),
    flows: { [FLOW]: composeFlow, [STOP_FLOW]: stopFlow },
    // Picked from "did you mean" or a related topic: not a request as clear as STOP, so ask.
    topics: { unsubscribe: askStop },
    menu: [{ labelKey: "broadcasts:menu.new", data: "bc:new", roles: ["partner", "admin"] }],
    jobs: [createOutboxWorker(deps)],
  };
}

/** The bot added to or removed from a group. */
const platformEvents: Middleware = async (ctx, next) => {
  const c = ctx.message.content;
  if (c.kind !== "event") return next();
  const { channel, chat } = ctx.message;
  if (c.event === "added-to-group") {
    await groupAdded(ctx.deps.db, channel, chat.id, chat.title ?? "");
    await ctx.reply(ctx.t("broadcasts:group.added"));
  } else if (c.event === "removed-from-group") {
    await groupRemoved(ctx.deps.db, channel, chat.id, ctx.deps.now());
  } else if (c.event === "group-migrated") {
    await migrateGroup(ctx.deps.db, channel, c.fromChatId, c.toChatId, ctx.deps.now());
  }
  return next();
};

/** In groups: /link CODE and /unlink. Everything else passes on. */
const groupCommands: Middleware = async (ctx, next) => {
  if (ctx.message.chat.kind !== "group" || ctx.message.content.kind !== "text") return next();
  const m = /^\/(link|unlink)(?:@\w+)?(?:\s+(\S+))?\s*$/i.exec(ctx.text);
  if (!m) return next();
  const { db } = ctx.deps;
  const { channel, chat } = ctx.message;
  if (m[1]!.toLowerCase() === "link") {
    if (!m[2]) return ctx.reply(ctx.t("broadcasts:group.usage"));
    const byAdmin = ctx.user.role === "admin";
    const result = await linkGroup(db, { channel, chatId: chat.id, title: chat.title ?? "" }, m[2], { id: ctx.user.id, lang: ctx.lang, byAdmin }, ctx.deps.now());
    if (!result.ok) return ctx.reply(ctx.t(result.reason === "bad-code" ? "broadcasts:group.badCode" : "broadcasts:group.linkedElsewhere"));
    const partner = await db.partner.findUnique({ where: { id: result.partnerId }, select: { name: true } });
    return ctx.reply(ctx.t("broadcasts:group.linked", { partner: partner?.name ?? `#${result.partnerId}` }));
  }
  const group = await db.linkedGroup.findUnique({ where: { channel_chatId: { channel, chatId: chat.id } } });
  if (!group?.partnerId) return ctx.reply(ctx.t("broadcasts:group.notLinked"));
  const mine = ctx.user.role === "admin" || (await partnerIdOfMember(db, ctx.user.id)) === group.partnerId;
  if (!mine) return ctx.reply(ctx.t("broadcasts:group.notYours"));
  await groupRemoved(db, channel, chat.id, ctx.deps.now());
  await db.linkedGroup.update({ where: { id: group.id }, data: { removedAt: null } });
  return ctx.reply(ctx.t("broadcasts:group.unlinked"));
};

/** The opt-out a private text asks for, if any. */
function optOutOf(ctx: Ctx): "exact" | "phrase" | "maybe" | undefined {
  if (ctx.message.chat.kind !== "private" || ctx.message.content.kind !== "text") return undefined;
  const u = ctx.understanding;
  return u?.intent === "optout" ? (u.optOut ?? "maybe") : undefined;
}

/**
 * Before any flow: STOP and the other exact keywords act at once, also in the middle of a
 * flow. Outside flows a clear phrase acts too and a loose one asks first; inside a flow
 * those are left to the flow (a partner typing an announcement may write "stop").
 */
const optOutBeforeFlows: Middleware = async (ctx, next) => {
  const strength = optOutOf(ctx);
  if (strength === "exact") return stopNow(ctx);
  if (!strength || ctx.state.flow !== null) return next();
  return strength === "phrase" ? stopNow(ctx) : askStop(ctx);
};

/** A phrase a flow passed on (it did not take it as its own answer). */
const optOutWords: Middleware = async (ctx, next) => {
  const strength = optOutOf(ctx);
  if (!strength) return next();
  return strength === "maybe" ? askStop(ctx) : stopNow(ctx);
};

async function askStop(ctx: Ctx): Promise<void> {
  await ctx.state.set(STOP_FLOW, {}, 30);
  await ctx.reply({
    text: ctx.t("broadcasts:optOut.confirm"),
    choices: [
      { data: "bc:stop:yes", label: ctx.t("broadcasts:optOut.confirmYes") },
      { data: "bc:stop:no", label: ctx.t("broadcasts:optOut.confirmNo") },
    ],
  });
}

/** The answer to "stop announcements?": a choice (also after the question expired), or yes/no in words. */
async function stopAnswer(ctx: Ctx, rest: string): Promise<void> {
  if (rest === "yes") return stopNow(ctx);
  await ctx.state.clear();
  if (rest === "no") return ctx.reply(ctx.t("broadcasts:optOut.kept"));
  return ctx.reply(ctx.t("common:staleChoice"));
}

const stopFlow: Middleware = async (ctx, next) => {
  const c = ctx.message.content;
  if (c.kind === "choice") return next();
  const answer = c.kind === "text" ? ctx.understanding?.answer : undefined;
  if (answer === "yes") return stopNow(ctx);
  await ctx.state.clear();
  if (answer === "no") return ctx.reply(ctx.t("broadcasts:optOut.kept"));
  return next();
};

async function stopNow(ctx: Ctx): Promise<void> {
  await optOut(ctx.deps.db, ctx.user.id, ctx.deps.now());
  await ctx.state.clear();
  await ctx.reply(ctx.t("broadcasts:optOut.done"));
}

/** START: subscribe again (or for the first time, with consent). Already subscribed: on to help. */
const optInWords: Middleware = async (ctx, next) => {
  if (ctx.message.chat.kind !== "private" || ctx.message.content.kind !== "text" || ctx.understanding?.intent !== "optin") return next();
  if ((await subscriptionStatus(ctx.deps.db, ctx.user.id)) === SUB.subscribed) return next();
  await optIn(ctx.deps.db, ctx.user.id, "start-command", ctx.deps.now());
  await ctx.reply(ctx.t("broadcasts:optOut.start"));
};

async function consentAnswer(ctx: Ctx, rest: string): Promise<void> {
  if (rest === "yes") {
    await optIn(ctx.deps.db, ctx.user.id, "whatsapp-consent", ctx.deps.now());
    return ctx.reply(ctx.t("broadcasts:consent.accepted"));
  }
  if (rest === "no") return ctx.reply(ctx.t("broadcasts:consent.declined"));
  return ctx.reply(ctx.t("common:staleChoice"));
}

/** "yes"/"haan"/"جی ہاں" (or no) from a WhatsApp user who was asked for consent. */
const consentWords: Middleware = async (ctx, next) => {
  if (!isWhatsApp(ctx.message.channel) || ctx.message.chat.kind !== "private" || ctx.message.content.kind !== "text") return next();
  const answer = consentAnswerOf(ctx.text);
  if (!answer || (await subscriptionStatus(ctx.deps.db, ctx.user.id)) !== SUB.asked) return next();
  return consentAnswer(ctx, answer);
};

/** How many first-contact users a process remembers (a few MB at most). */
const SUBSCRIBED_REMEMBERED = 100_000;

/**
 * First contact: Telegram (and the local console) subscribe a user who started the bot.
 * WhatsApp needs an explicit yes: after the user's first message has been answered (and
 * outside any flow), the consent question is asked once.
 */

function firstContact(subscribed: Set<number>): Middleware {
  return async (ctx, next) => {
    const { channel, chat } = ctx.message;
    if (chat.kind !== "private" || ctx.message.content.kind === "event") return next();
    if (!isWhatsApp(channel)) {
      if (subscribed.has(ctx.user.id)) return next();
      // Unless a row exists (an opt-out stays): on the driver, as the first message of every
      // new user pays for it (docs/decisions/1103-flow-state-and-profile-on-the-driver.md).
      const created = await ctx.deps.database.hot.subscribeIfNew(ctx.user.id, TOPICS, channel === "telegram" ? "telegram-start" : channel, ctx.deps.now());
      // One entry per user since start: bounded, so a process up for months with a large
      // audience does not keep them all (a forgotten user costs one insert that does nothing).
      if (subscribed.size >= SUBSCRIBED_REMEMBERED) subscribed.clear();
      subscribed.add(ctx.user.id);
      await next();
      // Telegram subscribes on /start without asking: say so once, with how to stop, after
      // the answer (the welcome comes first). Telegram's choices are inline buttons on their
      // own message, so a message after them does not take their numbers.
      // The answer is out by now: a notice the platform keeps refusing must not make the
      // message fail and be answered again from the inbox (every announcement says how to stop).
      if (created && channel === "telegram" && ctx.message.content.kind === "text") {
        await ctx.reply(ctx.t("broadcasts:consent.subscribed")).catch((err: unknown) => ctx.deps.log.warn({ err }, "could not send the subscription notice"));
      }
      return;
    }
    await next();
    if (subscribed.has(ctx.user.id) || ctx.replies.length === 0 || ctx.state.flow !== null) return;
    if ((await subscriptionStatus(ctx.deps.db, ctx.user.id)) !== null) {
      subscribed.add(ctx.user.id);
      return;
    }
    await markAsked(ctx.deps.db, ctx.user.id, ctx.deps.now());
    subscribed.add(ctx.user.id);
    // Answered with words (consentWords), not numbered choices: the reply just sent may have
    // offered numbered choices, and those numbers must keep their meaning.
    await ctx.reply(ctx.t("broadcasts:consent.question"));
  };
}

/** A partner member asks for a group link code (in private). */
async function linkCode(ctx: Ctx): Promise<void> {
  if (ctx.message.chat.kind !== "private") return ctx.reply(ctx.t("broadcasts:group.privateOnly"));
  const partnerId = await partnerIdOfMember(ctx.deps.db, ctx.user.id);
  if (partnerId === null) return ctx.reply(ctx.t("broadcasts:linkCode.notPartner"));
  const code = await issueLinkCode(ctx.deps.db, partnerId, ctx.user.id, ctx.deps.now());
  return ctx.reply(ctx.t("broadcasts:linkCode.issued", { code, minutes: LINK_CODE_MINUTES }));
}

/** "/broadcast" (new), "/broadcast status ID", "/broadcast pause|resume|cancel ID". */
async function broadcastCommand(ctx: Ctx, args: string, next: Next): Promise<void> {
  if (ctx.message.chat.kind !== "private") return next();
  if (!args) return startCompose(ctx);
  if (/^(list|ls)$/i.test(args.trim())) return showList(ctx);
  const m = /^(status|report|pause|resume|cancel)\s+#?(\d{1,9})$/i.exec(args.trim());
  if (!m) return ctx.reply(ctx.t("broadcasts:report.usage"));
  const action = m[1]!.toLowerCase();
  const id = Number(m[2]);
  if (action === "status" || action === "report") return showReport(ctx, id);
  if (ctx.user.role !== "admin") throw new UserFacingError("broadcasts:errors.adminOnly");
  await controlBroadcast(ctx.deps.db, id, action as BroadcastAction);
  const { state } = await broadcastStatus(ctx.deps.db, id);
  return ctx.reply(ctx.t("broadcasts:report.controlled", { id, status: ctx.t(`broadcasts:report.state.${state}`) }));
}

/** "/broadcast list": admins see every broadcast, a partner's accounts their partner's, others what they sent. */
async function showList(ctx: Ctx): Promise<void> {
  const { db } = ctx.deps;
  const filter = ctx.user.role === "admin" ? {} : { partnerId: await partnerIdOfMember(db, ctx.user.id), senderUserId: ctx.user.id };
  const rows = await listBroadcasts(db, filter);
  if (rows.length === 0) return ctx.reply(ctx.t("broadcasts:list.none"));
  const lines = rows.map((b) =>
    ctx.t("broadcasts:list.item", {
      id: b.id,
      date: formatDay(b.createdAt, ctx.lang),
      state: ctx.t(`broadcasts:report.state.${b.status.state}`),
      sent: b.status.sent,
      recipients: b.recipients,
      preview: b.preview,
    }),
  );
  return ctx.reply([ctx.t("broadcasts:list.title"), "", ...lines, "", ctx.t("broadcasts:list.more")].join("\n"));
}

/** "1 Dec, 14:05" in Pakistan time. */
function formatDay(date: Date, lang: string): string {
  return new Intl.DateTimeFormat(lang === "ur" ? "ur-PK" : "en-GB", { timeZone: "Asia/Karachi", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false }).format(date);
}

/**
 * The report of a broadcast the user may see: admins any, a sender their own, a partner's
 * accounts their partner's. Anyone else gets the answer for a missing one, so a forged id
 * tells nobody which broadcasts exist.
 */
async function showReport(ctx: Ctx, id: number): Promise<void> {
  if (ctx.user.role !== "admin") {
    const b = await ctx.deps.db.broadcast.findUnique({ where: { id }, select: { senderUserId: true, partnerId: true } });
    const partnerId = b && b.senderUserId !== ctx.user.id ? await partnerIdOfMember(ctx.deps.db, ctx.user.id) : null;
    const mine = b !== null && (b.senderUserId === ctx.user.id || (partnerId !== null && partnerId === b.partnerId));
    if (!mine) throw new UserFacingError("broadcasts:errors.notFound", { id });
  }
  return ctx.reply(reportText(ctx.t, id, await broadcastReport(ctx.deps, id)));
}

async function startCompose(ctx: Ctx): Promise<void> {
  const scope = await senderScope(ctx.deps.db, ctx.user.id);
  if (scope.kind === "partner") {
    await ctx.state.set(FLOW, { step: "text", audience: { kind: "partner", partnerId: scope.partnerId } } satisfies FlowData);
    return ctx.reply(ctx.t("broadcasts:compose.askText", { audience: ctx.t("broadcasts:compose.ownAudience") }));
  }
  await ctx.state.set(FLOW, { step: "audience" } satisfies FlowData);
  return ctx.reply({
    text: ctx.t("broadcasts:compose.audience"),
    choices: [
      { data: "bc:aud:all", label: ctx.t("broadcasts:compose.audienceAll") },
      { data: "bc:aud:city", label: ctx.t("broadcasts:compose.audienceCity") },
      { data: "bc:aud:category", label: ctx.t("broadcasts:compose.audienceCategory") },
    ],
  });
}

function sameText(text: string): BroadcastContent["text"] {
  return { en: text, ur: text, "ur-Latn": text };
}

/** A partner's announcement opens with the partner's name ("From Alpha Agency:"), in each recipient's language. */
async function signed(ctx: Ctx, text: string): Promise<BroadcastContent["text"]> {
  const scope = await senderScope(ctx.deps.db, ctx.user.id);
  if (scope.kind !== "partner") return sameText(text);
  const partner = await ctx.deps.db.partner.findUnique({ where: { id: scope.partnerId }, select: { name: true } });
  if (!partner) return sameText(text);
  const i18n = ctx.deps.i18n;
  return { en: `${i18n.t("en")("broadcasts:compose.from", { partner: partner.name })}\n\n${text}`, ur: `${i18n.t("ur")("broadcasts:compose.from", { partner: partner.name })}\n\n${text}`, "ur-Latn": `${i18n.t("ur-Latn")("broadcasts:compose.from", { partner: partner.name })}\n\n${text}` };
}

function describe(ctx: Ctx, audience: Audience): string {
  switch (audience.kind) {
    case "partner":
      return ctx.t("broadcasts:compose.ownAudience");
    case "city":
      return `${ctx.t("broadcasts:compose.audienceCity")}: ${audience.city}`;
    case "category":
      return `${ctx.t("broadcasts:compose.audienceCategory")}: ${audience.category}`;
    default:
      return ctx.t("broadcasts:compose.audienceAll");
  }
}

/** The compose flow: audience → (city/category) → text → preview → confirm. */
const composeFlow: Middleware = async (ctx, next) => {
  const parsed = flowSchema.safeParse(ctx.state.data);
  if (!parsed.success) {
    await ctx.state.clear();
    return next();
  }
  const data = parsed.data;
  const c = ctx.message.content;
  if (c.kind === "choice" && c.data === "bc:new") return startCompose(ctx);
  const askText = async (audience: Audience) => {
    await ctx.state.set(FLOW, { step: "text", audience } satisfies FlowData);
    return ctx.reply(ctx.t("broadcasts:compose.askText", { audience: describe(ctx, audience) }));
  };
  switch (data.step) {
    case "audience": {
      if (c.kind !== "choice" || !c.data.startsWith("bc:aud:")) return next();
      const kind = c.data.slice("bc:aud:".length);
      if (kind === "all") return askText({ kind: "all" });
      if (kind === "city" || kind === "category") {
        await ctx.state.set(FLOW, { step: kind } satisfies FlowData);
        return ctx.reply(ctx.t(kind === "city" ? "broadcasts:compose.askCity" : "broadcasts:compose.askCategory"));
      }
      return ctx.reply(ctx.t("common:staleChoice"));
    }
    case "city":
    case "category": {
      if (c.kind !== "text" || ctx.text.length < 2 || ctx.text.length > 100) return next();
      return askText(data.step === "city" ? { kind: "city", city: ctx.text } : { kind: "category", category: ctx.text });
    }
    case "text": {
      if (c.kind !== "text" || !data.audience) return next();
      if (ctx.text.length < 10) return ctx.reply(ctx.t("broadcasts:compose.tooShort"));
      const input = { senderUserId: ctx.user.id, audience: data.audience, topic: "events" as const, content: { text: sameText(ctx.text) } };
      const { recipients, paid } = await previewBroadcast(ctx.deps, input);
      if (recipients === 0) {
        await ctx.state.clear();
        return ctx.reply(ctx.t("broadcasts:compose.empty"));
      }
      await ctx.state.set(FLOW, { step: "confirm", audience: data.audience, text: ctx.text } satisfies FlowData);
      return ctx.reply({
        text:
          ctx.t("broadcasts:compose.preview", { count: recipients, text: ctx.text }) +
          (paid ? `\n\n${ctx.t("broadcasts:compose.paidCost", { count: paid.telegram, stars: paid.stars.toFixed(1) })}` : ""),
        choices: [
          { data: "bc:send:yes", label: ctx.t("broadcasts:compose.send") },
          { data: "bc:send:no", label: ctx.t("broadcasts:compose.dontSend") },
        ],
      });
    }
    case "confirm": {
      if (c.kind !== "choice" || !c.data.startsWith("bc:send:") || !data.audience || !data.text) return next();
      await ctx.state.clear();
      if (c.data !== "bc:send:yes") return ctx.reply(ctx.t("broadcasts:compose.discarded"));
      const { broadcastId, recipients } = await createBroadcast(ctx.deps, {
        senderUserId: ctx.user.id,
        audience: data.audience,
        topic: "events",
        content: { text: await signed(ctx, data.text) },
      });
      return ctx.reply(ctx.t("broadcasts:compose.queued", { id: broadcastId, count: recipients }));
    }
  }
};

/** Both WhatsApp channels (Baileys and the Cloud API) need an explicit yes before announcements. */
function isWhatsApp(channel: ChannelId): boolean {
  return channel === "whatsapp" || channel === "whatsapp-cloud";
}
