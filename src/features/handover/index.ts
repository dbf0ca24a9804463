/**
 * The handover: a seller who asks for a person (`human`), complains about their partner
 * (`complaint.partner`) or sends a voice note (and agrees to pass it on) is put through to a
 * person: their partner's staff, or the programme's admins. While it is open the bot passes
 * the seller's messages on instead of answering (STOP and the menu still act); staff answer
 * by replying to the notice or with `/reply CODE text`, end it with `/done`, and list theirs
 * with `/handovers`. A job delivers the queued messages, tells admins when a partner does
 * not pick up, and closes silent handovers. docs/handover.md describes it for users.
 */
import { z } from "zod";
import type { AppDeps, Ctx, Feature, Job, Middleware, Next } from "../../core/context.ts";
import { onChoice } from "../../core/router.ts";
import type { MediaRef } from "../../core/types.ts";
import { loadStages, type Stages } from "../progress/stages.ts";
import { createStaffCommands, STAFF_COMMAND } from "./commands.ts";
import { createDeliverySender, parseMedia, type DeliverySender, type SenderOptions } from "./deliveries.ts";
import { createHistoryBuffer, describeInbound, pruneHistory } from "./history.ts";
import { openHandoverOf, type HandoverReason, type HandoverRow } from "./repository.ts";
import { createHandoverService, windowText, type HandoverService } from "./service.ts";

const VOICE_FLOW = "handover.voice";
/** Whole-message words for a person, besides the `human` intent ("agent" alone reads as the partner finder's). */
const HUMAN_WORDS = new Set(["agent", "/agent", "/human", "human agent"]);
const voiceState = z.object({ media: z.unknown() });

/** The handover job: delivers queued messages, escalates and times out. Tests drive it by hand. */
export interface HandoverJob extends Job {
  /** Delivers what is due now (the channels running here). */
  flush(): Promise<number>;
  /** Escalations and silence timeouts due now, then a flush. */
  runOnce(): Promise<{ escalated: number; timedOut: number; delivered: number }>;
}

/** Options for tests. */
export interface HandoverOptions {
  stages?: Stages;
  /** How often the job looks for due deliveries (default 1 s) and sweeps (default 60 s). */
  pollMs?: number;
  sweepMs?: number;
  sender?: SenderOptions;
}

/** The feature plus its service and job (tests reach them through `createFeatures`' list). */
export interface HandoverFeature extends Feature {
  service: HandoverService;
  job: HandoverJob;
}

/** Creates the handover feature. */
export function createHandoverFeature(deps: AppDeps, options: HandoverOptions = {}): HandoverFeature {
  const stages = options.stages ?? loadStages(deps.config.contentDir);
  const sender = createDeliverySender(deps, options.sender);
  let started = false;
  const wake = () => {
    if (started) void sender.flush().catch((err: unknown) => deps.log.warn({ err }, "handover: delivery failed"));
  };
  const history = createHistoryBuffer(deps);
  const service = createHandoverService(deps, stages, wake, history);
  const staff = createStaffCommands(service);
  const job = createJob(deps, service, sender, options, (on) => (started = on));

  const beforeFlows: Middleware = async (ctx, next) => {
    const c = ctx.message.content;
    if (ctx.message.chat.kind !== "private" || c.kind === "event") return next();
    if (ctx.user.role !== "seller") return staff.handle(ctx, next);
    if (c.kind === "text" && STAFF_COMMAND.test(ctx.text)) return ctx.reply(ctx.t("handover:staff.notStaff"));
    const open = (await service.openSellers.has(ctx.user.id)) ? await openHandoverOf(ctx.deps.db, ctx.user.id) : null;
    if (open) return duringHandover(ctx, service, open, next);
    if (c.kind === "voice") return askVoice(ctx, service, c.media);
    const inbound = describeInbound(ctx);
    await next();
    history.record(ctx, inbound);
  };

  return {
    name: "handover",
    beforeFlows,
    flows: { [VOICE_FLOW]: (ctx, next) => voiceFlow(ctx, service, next) },
    middleware: async (ctx, next) => {
      const c = ctx.message.content;
      if (c.kind === "choice" && c.data.startsWith("ho:voice:")) return ctx.reply(ctx.t("common:staleChoice"));
      // The FAQ's "talk to a person" button (faq:topic:talk-to-human) puts a seller through too.
      if (c.kind === "choice" && c.data === "faq:topic:talk-to-human" && ctx.user.role === "seller" && ctx.message.chat.kind === "private") return start(ctx, service, "human");
      if (ctx.message.chat.kind !== "private" || ctx.user.role !== "seller" || c.kind !== "text") return next();
      const intent = HUMAN_WORDS.has(ctx.text.trim().toLowerCase()) ? "human" : ctx.understanding?.intent;
      if (intent === "human" || intent === "complaint.partner") return start(ctx, service, intent, undefined, next);
      return next();
    },
    jobs: [job],
    service,
    job,
  };
}

/**
 * Opens a handover and tells the seller who answers and roughly when. With nobody to hand
 * over to, a complaint goes on (`next`) to the partners feature, which offers another partner.
 */
async function start(ctx: Ctx, service: HandoverService, reason: HandoverReason, voice?: MediaRef, next?: Next): Promise<void> {
  const lastMessage = voice ? "[voice note]" : ctx.text;
  const result = await service.open({ sellerId: ctx.user.id, reason, channel: ctx.message.channel, chatId: ctx.message.chat.id, voice, lastMessage });
  if (result.kind === "unreachable") {
    ctx.deps.log.warn({ userId: ctx.user.id, reason }, "handover: nobody to hand over to (no partner account, no admin)");
    // The partners feature says so and shows the partner's own contacts, or the nearest partners.
    if (reason === "human" && (await ctx.handoff("talk-to-human"))) return;
    if (reason === "complaint.partner" && next) return next();
    return ctx.reply(ctx.t("handover:opened.unreachable"));
  }
  const hours = ctx.deps.config.handover.pickupHours;
  const window = windowText(ctx.deps, ctx.lang);
  if (reason === "complaint.partner") {
    const about = result.handover.aboutPartnerId !== null ? await ctx.deps.db.partner.findUnique({ where: { id: result.handover.aboutPartnerId }, select: { name: true } }) : null;
    return ctx.reply(ctx.t("handover:opened.complaint", { partner: about?.name ?? ctx.t("handover:opened.yourPartner"), hours, window }));
  }
  return ctx.reply(result.answerer ? ctx.t("handover:opened.partner", { name: result.answerer, hours, window }) : ctx.t("handover:opened.team", { hours, window }));
}

/**
 * A seller's message while a handover is open: passed on to the person, except STOP (acts,
 * and ends the handover) and the menu or a menu choice (acts; the handover stays open).
 */
async function duringHandover(ctx: Ctx, service: HandoverService, open: HandoverRow, next: Next): Promise<void> {
  const c = ctx.message.content;
  const seller = { id: ctx.user.id, name: ctx.user.displayName ?? `#${ctx.user.id}` };
  if (c.kind === "voice") return service.passOn(open, seller, { voice: c.media });
  if (c.kind === "location") return service.passOn(open, seller, { text: `📍 https://maps.google.com/?q=${c.latitude},${c.longitude}` });
  if (c.kind !== "text") return next();
  const u = ctx.understanding;
  if (u?.intent === "optout" && (u.optOut === "exact" || u.optOut === "phrase")) {
    const name = (await service.answererName(open)) ?? ctx.t("handover:team");
    await service.close(open, { reason: "stop", by: ctx.user.id });
    await next();
    return ctx.reply(ctx.t("handover:closed.stop", { name }));
  }
  if (u?.intent === "menu") return next();
  return service.passOn(open, seller, { text: ctx.text });
}

/** A voice note outside a handover: ask before passing it on (only a person can hear it). */
async function askVoice(ctx: Ctx, service: HandoverService, media: MediaRef): Promise<void> {
  const name = await service.whoWouldAnswer(ctx.user.id);
  await ctx.state.set(VOICE_FLOW, { media }, 30);
  await ctx.reply({
    text: name ? ctx.t("handover:voice.ask", { name }) : ctx.t("handover:voice.askTeam"),
    choices: [
      { data: "ho:voice:yes", label: ctx.t("handover:voice.yes") },
      { data: "ho:voice:no", label: ctx.t("handover:voice.no") },
    ],
  });
}

/** The answer to "Shall I pass your voice note on?": a button, a number, or yes / no in words. */
async function voiceFlow(ctx: Ctx, service: HandoverService, next: Next): Promise<void> {
  const c = ctx.message.content;
  const answer = c.kind === "choice" ? (c.data === "ho:voice:yes" ? "yes" : c.data === "ho:voice:no" ? "no" : undefined) : c.kind === "text" ? ctx.understanding?.answer : undefined;
  const parsed = voiceState.safeParse(ctx.state.data);
  const media = parsed.success ? parseMedia(parsed.data.media) : null;
  if (answer !== "yes" && answer !== "no") {
    await ctx.state.clear();
    return next();
  }
  await ctx.state.clear();
  if (answer === "no" || !media) return ctx.reply(ctx.t(answer === "no" ? "handover:voice.declined" : "common:staleChoice"));
  return start(ctx, service, "voice", media);
}

function createJob(deps: AppDeps, service: HandoverService, sender: DeliverySender, options: HandoverOptions, setStarted: (on: boolean) => void): HandoverJob {
  const timers: NodeJS.Timeout[] = [];
  let sweeping: Promise<unknown> | undefined;
  let lastPrune = 0;
  const runOnce = async () => {
    const swept = await service.sweep();
    if (deps.now().getTime() - lastPrune > 3600_000) {
      lastPrune = deps.now().getTime();
      await pruneHistory(deps.db, deps.now(), deps.config.handover.historyHours);
    }
    const delivered = await sender.flush();
    return { ...swept, delivered };
  };
  const sweep = () => {
    // A sweep still running (a slow database) is not started twice.
    sweeping ??= runOnce()
      .catch((err: unknown) => deps.log.warn({ err }, "handover: sweep failed"))
      .finally(() => (sweeping = undefined));
  };
  const deliver = () => void sender.flush().catch((err: unknown) => deps.log.warn({ err }, "handover: delivery failed"));
  return {
    name: "handover",
    flush: () => sender.flush(),
    runOnce,
    start() {
      setStarted(true);
      sweep();
      timers.push(setInterval(deliver, options.pollMs ?? 1000), setInterval(sweep, options.sweepMs ?? 60_000));
      for (const t of timers) t.unref();
    },
    async stop() {
      setStarted(false);
      for (const t of timers.splice(0)) clearInterval(t);
      await sweeping;
      await sender.idle();
      await service.history.flush();
    },
  };
}
