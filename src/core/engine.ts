/**
 * The core: inbox → identify the user → pick the language → route to a feature → reply →
 * mark handled. Guarantees (docs/decisions/0008-inbound-inbox.md): a message is stored in
 * the inbox before the platform is told it arrived, and handled from there; a message
 * delivered twice (even at once) is handled once, but a redelivery of one that was never
 * handled is handled; one user's messages are handled in order, different users'
 * concurrently, and one stuck message cannot hold a user's queue past its deadline; a
 * database that fails leaves the message for a retry, any other failure gets the user a
 * short apology in their language. Nothing here ever stops the process.
 */
import type { AppDeps, ConversationState, Ctx, Feature, Middleware } from "./context.ts";
import { isChannelError, UserFacingError } from "./errors.ts";
import { createOwnerId, deadOwners, parseStoredMessage, serializeMessage } from "./inbox.ts";
import { createKeyedQueue } from "./keyed-queue.ts";
import { detectLanguage } from "./language.ts";
import { asciiDigits, keyText, sanitizeText } from "./text.ts";
import { CHANNEL_IDS, type ChannelCapabilities, type ChannelId, type Choice, type InboundMessage, type Lang, type OutboundMessage } from "./types.ts";
import type { Understander, Understanding } from "./understanding.ts";
import { loadOrCreateUser, type LoadedUser } from "./users.ts";
import { createReplyGuard, type ReplyGuard } from "./reply-guard.ts";
import { compose } from "./router.ts";
import { isTransientDatabaseError } from "../db/errors.ts";
import type { InboxClaim } from "../db/hot-path.ts";

/** The running core. */
export interface Core {
  /**
   * Stores the message in the inbox and handles it; resolves when it is handled or left in
   * the inbox for a retry. If the database cannot store it even after waiting up to the
   * message deadline, it is handled from memory (a failure then gets the apology). Never
   * rejects. For channels that cannot deliver a message again (WhatsApp, the terminal).
   */
  handle(message: InboundMessage): Promise<void>;
  /**
   * Stores the message in the inbox and resolves as soon as it is stored; handling goes on
   * in the background. Rejects when it could not be stored: the adapter must then not
   * acknowledge it, so the platform delivers it again (Telegram's offset, a webhook's 5xx).
   */
  accept(message: InboundMessage): Promise<void>;
  /** Claims and handles inbox rows left unhandled (a crash, a stall) on the running channels; returns how many. */
  replay(): Promise<number>;
  /** Resolves when every message taken so far has been handled or left in the inbox for a retry. */
  idle(): Promise<void>;
  /** Stops scheduling retries (those messages stay in the inbox) and waits for work in flight. */
  stop(): Promise<void>;
}

/** How often a message may fail on a database or platform fault before the user gets the apology. */
export const MAX_ATTEMPTS = 5;
/** Inbox rows one replay may take while earlier ones are still being handled. */
const REPLAY_IN_FLIGHT = 200;
/** Messages handled at once (others wait their turn): see keyed-queue.ts. */
const HANDLING_AT_ONCE = 64;
const CHANNELS: readonly ChannelId[] = CHANNEL_IDS;
const FALLBACK_CAPS: ChannelCapabilities = { buttons: false, location: false, files: false, groups: false, maxTextLength: 4096 };
const TIMED_OUT = Symbol("timed out");
/** How long a late attempt that is still running keeps its claim, in leases (10 min by default). */
const LATE_HOLD_LEASES = 10;

/** A message this process is handling: its inbox row (none when it could not be stored) and lease. */
interface Work {
  message: InboundMessage;
  id?: number;
  attempts: number;
  leaseUntil: number;
}
type Outcome = "handled" | "retry" | "gone";

/** Options of the core. */
export interface CoreOptions {
  /** The understanding step (src/understanding); without one every text is understood as `none`. */
  understander?: Understander;
  /** The inbox claim owner (tests: two cores = two processes). */
  owner?: string;
}

/** Creates the core over the given features (order matters: earlier ones see messages first). */
export function createCore(deps: AppDeps, features: Feature[], options: CoreOptions = {}): Core {
  const queue = createKeyedQueue({ concurrency: HANDLING_AT_ONCE });
  const understander = options.understander ?? NOT_UNDERSTOOD;
  const chain = compose([
    guards,
    ...features.flatMap((f) => (f.beforeFlows ? [f.beforeFlows] : [])),
    flows(features),
    numberOutOfRange,
    ...features.flatMap((f) => (f.middleware ? [f.middleware] : [])),
    notUnderstood,
  ]);
  const topics = new Map(features.flatMap((f) => Object.entries(f.topics ?? {})));
  const hot = deps.database.hot;
  const { deadlineMs, leaseMs } = deps.config.inbox;
  const owner = options.owner ?? createOwnerId();
  const replyGuard = createReplyGuard({ limits: deps.config.replyGuard, log: deps.log, now: () => deps.now().getTime() });
  const background = new Set<Promise<unknown>>();
  const retries = new Set<NodeJS.Timeout>();
  // Inbox rows this process is working on (queued, running, waiting for a retry): a replay
  // that claims one of them again (its lease ran out meanwhile) leaves it alone.
  const held = new Set<number>();
  let active = 0;
  let stopped = false;

  /** Runs the middleware chain once. A database or platform fault may be retried; anything else is apologised for. */
  async function process(message: InboundMessage, canRetry: boolean): Promise<"handled" | "retry"> {
    let loaded: LoadedUser | undefined;
    let ctx: Ctx | undefined;
    try {
      loaded = await loadOrCreateUser(deps.database, deps.config, message, deps.now());
      ctx = createCtx(deps, message, loaded, topics, understander, replyGuard);
      await chooseLanguage(ctx, loaded);
      await chain(ctx, async () => undefined);
      return "handled";
    } catch (error) {
      if (canRetry && isTransient(error)) {
        deps.log.warn({ err: error, channel: message.channel, messageId: message.messageId }, "message failed on a database or platform fault; retrying from the inbox");
        return "retry";
      }
      await apologise(deps, message, loaded, ctx, error, replyGuard);
      return "handled";
    }
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    background.add(promise);
    void promise.finally(() => background.delete(promise)).catch(() => undefined);
    return promise;
  }

  /**
   * One attempt, bounded by the deadline so the user's next message is never held longer.
   * Resolves with the marking of the row, which callers await outside the user's queue.
   */
  async function attempt(work: Work): Promise<{ marked: Promise<void> }> {
    const running = (async (): Promise<Outcome> => {
      if (work.id !== undefined && work.leaseUntil - deps.now().getTime() < deadlineMs + leaseMs / 3) {
        // Not enough lease left for a whole attempt and a late renewal after it: extend it, or
        // another process may take the row.
        const attempts = await hot.renewInbound(work.id, owner, new Date(deps.now().getTime() + leaseMs));
        if (attempts === undefined) return "gone";
        work.attempts = attempts;
        work.leaseUntil = deps.now().getTime() + leaseMs;
      }
      return process(work.message, work.id !== undefined && work.attempts < MAX_ATTEMPTS);
    })().catch((error: unknown) => {
      deps.log.warn({ err: error, messageId: work.message.messageId }, "could not renew an inbox claim; retrying");
      return "retry" as const;
    });
    const outcome = await withDeadline(running, deadlineMs);
    if (outcome !== TIMED_OUT) return { marked: settle(work, outcome) };
    deps.log.warn(
      { channel: work.message.channel, messageId: work.message.messageId, deadlineMs },
      "message passed its deadline: the user's next message goes ahead; this one is retried from the inbox unless it finishes",
    );
    // It may still finish: while it runs, this live process keeps its claim (a reply waiting
    // for the platform's rate under a backlog is late, not lost, and a replay elsewhere would
    // answer it twice). If it ends without being handled, or runs past LATE_HOLD_LEASES
    // leases, the claim is let go and the replay takes the row once its lease has run out.
    const keep = keepClaimWhileRunning(work);
    track(
      running.then(async (late) => {
        keep.stop();
        if (late === "handled") await settle(work, late);
      }),
    );
    return { marked: Promise.resolve() };
  }

  /**
   * Renews a late attempt's lease every third of a lease (without counting an attempt), within
   * a bound. `stop()` (the attempt ended) and the bound both let the claim go: the row is left
   * to the replay once the lease has run out (a handled row is let go by settle() first).
   */
  function keepClaimWhileRunning(work: Work): { stop(): void } {
    const since = Date.now();
    let release: NodeJS.Timeout | undefined;
    const letGo = () => {
      clearInterval(beat);
      if (release) clearTimeout(release);
      release = setTimeout(() => work.id !== undefined && held.delete(work.id), leaseMs);
      release.unref();
    };
    const renew = () => {
      if (work.id === undefined || stopped || Date.now() - since > LATE_HOLD_LEASES * leaseMs) return letGo();
      const leaseUntil = deps.now().getTime() + leaseMs;
      void hot.keepInbound(work.id, owner, new Date(leaseUntil)).then(
        (kept) => (kept ? (work.leaseUntil = leaseUntil) : letGo()),
        (error: unknown) => deps.log.warn({ err: error, messageId: work.message.messageId }, "could not extend a late message's claim"),
      );
    };
    const beat = setInterval(renew, leaseMs / 3);
    beat.unref();
    // At once: the attempt started with at least a third of a lease beyond its deadline, and
    // it is all that is left now.
    renew();
    return { stop: letGo };
  }

  function settle(work: Work, outcome: Outcome): Promise<void> {
    if (outcome === "handled") return track(markHandled(work).finally(() => work.id !== undefined && held.delete(work.id)));
    if (outcome === "retry") scheduleRetry(work);
    else if (work.id !== undefined) held.delete(work.id);
    return Promise.resolve();
  }

  /** Marks the row handled right away, retrying a failure for a while (else the message is repeated). */
  async function markHandled(work: Work): Promise<void> {
    if (work.id === undefined) return;
    for (let wait = 250; ; wait *= 2) {
      try {
        return await hot.markHandled([work.id], deps.now());
      } catch (error) {
        if (stopped || wait > leaseMs / 4 || !isTransientDatabaseError(error)) {
          deps.log.warn({ err: error, messageId: work.message.messageId }, "could not mark a message handled; it may be answered again");
          return;
        }
        await sleep(wait);
      }
    }
  }

  /**
   * Tries again after a backoff (0.5 s, 1 s, 2 s … 15 s). The attempt renews the claim when
   * its lease is short, so a row another process has taken meanwhile is left to it.
   */
  function scheduleRetry(work: Work): void {
    const wait = Math.min(15_000, 500 * 2 ** (work.attempts - 1)) * (0.75 + Math.random() / 2);
    work.attempts += 1;
    if (stopped) {
      if (work.id !== undefined) held.delete(work.id);
      return;
    }
    const timer = setTimeout(() => {
      retries.delete(timer);
      if (!stopped) void enqueue(work);
    }, wait);
    timer.unref();
    retries.add(timer);
  }

  function enqueue(work: Work): Promise<void> {
    if (work.id !== undefined) held.add(work.id);
    active += 1;
    return track(
      queue
        .run(keyOf(work.message), () => attempt(work))
        .then((r) => r.marked)
        .finally(() => (active -= 1)),
    );
  }

  /** Writes the message to the inbox, claimed by this process (one statement). */
  async function store(message: InboundMessage): Promise<Work | undefined> {
    const now = deps.now().getTime();
    const claim = await hot.storeInbound({
      channel: message.channel,
      messageId: message.messageId.slice(0, 200),
      payload: serializeMessage(message),
      at: new Date(now),
      owner,
      leaseUntil: new Date(now + leaseMs),
    });
    if (!claim) {
      deps.log.debug({ channel: message.channel, messageId: message.messageId }, "duplicate inbound message skipped");
      return undefined;
    }
    // Held from now, not from its turn: under a backlog it may wait in the queue past its
    // lease, and this process's own replay must not queue it a second time meanwhile.
    held.add(claim.id);
    return { message, id: claim.id, attempts: claim.attempts, leaseUntil: now + leaseMs };
  }

  /** `store`, waiting out a database fault up to the deadline; then the message is handled from memory. */
  async function storePatiently(message: InboundMessage): Promise<Work | undefined> {
    const giveUpAt = Date.now() + deadlineMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        return await store(message);
      } catch (error) {
        if (!isTransientDatabaseError(error) || Date.now() + wait > giveUpAt) {
          deps.log.error({ err: error, channel: message.channel, messageId: message.messageId }, "could not store an inbound message; handling it without the inbox");
          return { message, attempts: MAX_ATTEMPTS, leaseUntil: Number.MAX_SAFE_INTEGER };
        }
        await sleep(wait);
      }
    }
  }

  /** Queues a message behind the user's earlier ones; resolves once it is handled and marked. */
  function take(message: InboundMessage, stored: Promise<Work | undefined>): Promise<void> {
    active += 1;
    return track(
      queue
        .run(keyOf(message), async () => {
          const work = await stored.catch(() => undefined);
          return work ? attempt(work) : undefined;
        })
        .then((r) => r?.marked)
        .finally(() => (active -= 1)),
    );
  }

  return {
    handle: (message) => take(message, storePatiently(message)),
    async accept(message) {
      const stored = store(message);
      void take(message, stored);
      await stored;
    },
    async replay() {
      const room = REPLAY_IN_FLIGHT - active;
      const channels = CHANNELS.filter((c) => deps.messenger.capabilities(c));
      if (stopped || room <= 0 || channels.length === 0) return 0;
      const now = deps.now();
      const dead = deadOwners(await hot.inboxOwners(now), owner);
      const claims = await hot.claimInbound({ channels, owner, now, leaseUntil: new Date(now.getTime() + leaseMs), limit: room, deadOwners: dead });
      for (const claim of claims) replayOne(claim, now.getTime() + leaseMs);
      return claims.length;
    },
    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    async stop() {
      stopped = true;
      for (const timer of retries) clearTimeout(timer);
      retries.clear();
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };

  function replayOne(claim: InboxClaim, leaseUntil: number): void {
    if (held.has(claim.id)) return;
    const message = parseStoredMessage(claim.payload);
    if (!message) {
      deps.log.error({ inboxId: claim.id }, "unreadable inbox row; it is dropped");
      void track(markHandled({ message: { messageId: String(claim.id) } as InboundMessage, id: claim.id, attempts: claim.attempts, leaseUntil }));
      return;
    }
    void enqueue({ message, id: claim.id, attempts: claim.attempts, leaseUntil });
  }
}

function keyOf(message: InboundMessage): string {
  return `${message.channel}:${message.sender.id}`;
}

/** A fault that may pass: the database did not answer or was locked, or the platform kept failing. */
function isTransient(error: unknown): boolean {
  return isTransientDatabaseError(error) || (isChannelError(error) && error.retryable);
}

/** The promise's value, or TIMED_OUT after `ms` (the promise keeps running). */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function createCtx(deps: AppDeps, message: InboundMessage, loaded: LoadedUser, topics: Map<string, (ctx: Ctx) => Promise<void>>, understander: Understander, replyGuard: ReplyGuard): Ctx {
  const replies: OutboundMessage[] = [];
  // Asked once per message, at its first reply: one answer is one "reply" to the loop guard.
  let mayReply: boolean | undefined;
  const user = { ...loaded.user };
  const content = resolveNumberedChoice(message, loaded.state.choices);
  const msg = content === message.content ? message : { ...message, content };
  const text = msg.content.kind === "text" ? sanitizeText(msg.content.text) : "";
  let understanding: Understanding | null | undefined;
  const ctx: Ctx = {
    message: msg,
    text,
    // Once per message, and only when a feature asks (group chatter and button presses never need it).
    get understanding() {
      if (understanding === undefined) understanding = text ? understander.understand(text) : null;
      return understanding;
    },
    choices: loaded.state.choices,
    user,
    lang: user.language,
    t: deps.i18n.t(user.language),
    capabilities: deps.messenger.capabilities(message.channel) ?? FALLBACK_CAPS,
    state: createState(deps, user.id, loaded.state),
    deps,
    replies,
    async reply(reply) {
      const given = typeof reply === "string" ? { text: reply } : reply;
      // A forum topic's question is answered in the same topic.
      const out = message.chat.threadId !== undefined && given.threadId === undefined ? { ...given, threadId: message.chat.threadId } : given;
      replies.push(out);
      mayReply ??= mayAnswer(replyGuard, message);
      if (!mayReply) return;
      const isPrivate = message.chat.kind === "private";
      await deps.messenger.reply({ channel: message.channel, chatId: message.chat.id, userId: isPrivate ? user.id : undefined, lang: ctx.lang, isGroup: !isPrivate }, out);
    },
    async setLanguage(lang, explicit) {
      ctx.lang = lang;
      ctx.t = deps.i18n.t(lang);
      if (user.language === lang && user.languageExplicit === explicit) return;
      user.language = lang;
      user.languageExplicit = explicit;
      await deps.database.hot.setLanguage(user.id, lang, explicit, deps.now());
    },
    async handoff(topic) {
      const handler = topics.get(topic);
      if (!handler) return false;
      await handler(ctx);
      return true;
    },
  };
  return ctx;
}

/**
 * The reply loop guard, for people's chats on platforms where another bot could be on the
 * other side. Not counted: the terminal (a person at the keyboard), platform events, and
 * button presses (only a person can press a button; bots cannot send callback queries).
 */
function mayAnswer(guard: ReplyGuard, message: InboundMessage): boolean {
  const kind = message.content.kind;
  if (message.channel === "console" || kind === "event" || kind === "choice") return true;
  return guard.allow(`${message.channel}:${message.chat.id}`);
}

const NOT_UNDERSTOOD: Understander = {
  understand: () => ({ intent: "none", entities: {}, confidence: 0, lang: "en", faq: null, complaint: false, reason: "no understander" }),
};

/** A reply "2" (or "۲") to a numbered list becomes the second choice. */
function resolveNumberedChoice(message: InboundMessage, choices: Choice[]): InboundMessage["content"] {
  if (message.content.kind !== "text" || choices.length === 0) return message.content;
  const digits = asciiDigits(message.content.text).trim().replace(/[.)]$/, "");
  if (!/^\d{1,2}$/.test(digits)) return message.content;
  const choice = choices[Number(digits) - 1];
  return choice ? { kind: "choice", data: choice.data, label: choice.label } : message.content;
}

function createState(deps: AppDeps, userId: number, initial: LoadedUser["state"]): ConversationState {
  const state = { flow: initial.flow, data: initial.data };
  return {
    get flow() {
      return state.flow;
    },
    get data() {
      return state.data;
    },
    // On the driver (decision 1103): through Prisma a flow step cost its query compiler and,
    // for a clear, a transaction of three round trips.
    async set(flow, data, ttlMinutes = 60) {
      state.flow = flow;
      state.data = data;
      const now = deps.now();
      await deps.database.hot.saveState(userId, { flow, dataJson: JSON.stringify(data ?? {}), expiresAt: new Date(now.getTime() + ttlMinutes * 60_000) }, now);
    },
    async clear() {
      if (state.flow === null) return;
      state.flow = null;
      state.data = {};
      await deps.database.hot.saveState(userId, { flow: null, dataJson: "{}", expiresAt: null }, deps.now());
    },
  };
}

/** Explicit choice wins; otherwise a confidently detected language becomes the reply language. */
async function chooseLanguage(ctx: Ctx, loaded: LoadedUser): Promise<void> {
  if (loaded.user.languageExplicit || !ctx.text) return;
  const detected = detectLanguage(ctx.text);
  if (detected.confident && detected.lang !== ctx.lang) await ctx.setLanguage(detected.lang, false);
}

/** Messages the core answers itself before any feature: groups, unsupported, empty, cancel. */
const guards: Middleware = async (ctx, next) => {
  const { content, chat } = ctx.message;
  if (content.kind === "event") {
    if (content.event === "blocked" || content.event === "unblocked") {
      // Recorded here so every channel's block notice is handled alike; the outbox skips them.
      const blockedAt = content.event === "blocked" ? ctx.deps.now() : null;
      await ctx.deps.db.channelIdentity.updateMany({ where: { channel: ctx.message.channel, externalId: ctx.message.sender.id }, data: { blockedAt } });
    }
    return next();
  }
  if (chat.kind === "group" && !ctx.message.addressedToBot) return;
  // Voice notes go on to the features: the handover feature takes them (its beforeFlows) and
  // asks whether to pass them to a person. A default reply for voice belongs in notUnderstood.
  if (content.kind === "voice") return next();
  if (content.kind === "unsupported") return ctx.reply(ctx.t(content.what === "invalid-location" ? "common:invalidLocation" : "common:unsupported"));
  if (content.kind === "text" && ctx.text === "") return ctx.reply(ctx.t("common:empty"));
  if (content.kind === "text" && CANCEL.has(keyText(ctx.text))) {
    const hadFlow = ctx.state.flow !== null;
    await ctx.state.clear();
    return ctx.reply({ text: ctx.t(hadFlow ? "common:cancelled" : "common:nothingToCancel") });
  }
  return next();
};

const CANCEL = new Set(["cancel", "/cancel", "cancel karo", "cancel kro", "rehne do", "rehnay do", "chhoro", "chodo", "منسوخ", "منسوخ کریں", "رہنے دیں", "کینسل"]);

/** Routes a message to the feature whose flow the user is in. */
function flows(features: Feature[]): Middleware {
  const handlers = new Map(features.flatMap((f) => Object.entries(f.flows ?? {})));
  return async (ctx, next) => {
    const handler = ctx.state.flow ? handlers.get(ctx.state.flow) : undefined;
    if (!handler) return next();
    return handler(ctx, next);
  };
}

/**
 * A number that is not on the numbered list last sent ("7" or "99" to a 6-item menu) gets
 * "reply 1–N" and the list again. Runs after flows, so a flow that takes numbers (seats)
 * sees them first; "0" is the main menu (the help feature answers it).
 */
const numberOutOfRange: Middleware = async (ctx, next) => {
  const n = ctx.message.content.kind === "text" ? ctx.understanding?.number : undefined;
  if (n === undefined || n === 0 || ctx.choices.length === 0 || n <= ctx.choices.length) return next();
  await ctx.reply({ text: ctx.t("common:choices.outOfRange", { max: ctx.choices.length }), choices: ctx.choices.map(({ data, label }) => ({ data, label })) });
};

/** The end of the chain: nobody handled the message. */
const notUnderstood: Middleware = async (ctx) => {
  const { content } = ctx.message;
  if (content.kind === "event") return;
  if (content.kind === "choice") return ctx.reply(ctx.t("common:staleChoice"));
  if (content.kind === "location") return ctx.reply(ctx.t("common:locationNotExpected"));
  // A voice note nobody took: a seller's (in a group, say) is asked to type or to ask for a
  // person; a staff member's that answers no handover notice gets the usual note.
  if (content.kind === "voice") return ctx.reply(ctx.t(ctx.user.role === "seller" ? "common:voiceNotYet" : "common:unsupported"));
  return ctx.reply({ text: ctx.t("common:notUnderstood"), choices: [{ data: "help:menu", label: ctx.t("common:menu.open") }] });
};

async function apologise(deps: AppDeps, message: InboundMessage, loaded: LoadedUser | undefined, ctx: Ctx | undefined, error: unknown, replyGuard: ReplyGuard): Promise<void> {
  const lang: Lang = ctx?.lang ?? loaded?.user.language ?? detectLanguage(message.content.kind === "text" ? message.content.text : "").lang;
  const t = deps.i18n.t(lang);
  const userFacing = error instanceof UserFacingError;
  if (!userFacing) {
    deps.log.error(
      { err: error, channel: message.channel, messageId: message.messageId, userId: loaded?.user.id, flow: loaded?.state.flow, kind: message.content.kind },
      "handler failed",
    );
  }
  const text = userFacing ? t(error.key, error.params) : t("common:error.apology");
  // A message that already got a reply was counted then; otherwise the apology is its answer.
  const chat = `${message.channel}:${message.chat.id}`;
  const allowed = ctx?.replies.length ? message.channel === "console" || !replyGuard.paused(chat) : mayAnswer(replyGuard, message);
  if (!allowed) return;
  try {
    const topic = message.chat.threadId !== undefined ? { threadId: message.chat.threadId } : {};
    await deps.messenger.reply({ channel: message.channel, chatId: message.chat.id, lang, isGroup: message.chat.kind === "group" }, { text, ...topic });
  } catch (sendError) {
    deps.log.warn({ err: sendError, channel: message.channel }, "could not send the apology");
  }
}
