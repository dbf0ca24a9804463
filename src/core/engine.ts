/**
 * The core: dedupe → identify the user → pick the language → route to a feature → reply.
 * Guarantees: a message delivered twice (even at once) is handled once; one user's
 * messages are handled in order, different users' concurrently; a throwing handler gets
 * the user a short apology in their language and never stops the process.
 */
import type { AppDeps, ConversationState, Ctx, Feature, Middleware } from "./context.ts";
import { UserFacingError } from "./errors.ts";
import { createKeyedQueue } from "./keyed-queue.ts";
import { detectLanguage } from "./language.ts";
import { asciiDigits, keyText, sanitizeText } from "./text.ts";
import type { ChannelCapabilities, Choice, InboundMessage, Lang, OutboundMessage } from "./types.ts";
import type { Understander, Understanding } from "./understanding.ts";
import { loadOrCreateUser, type LoadedUser } from "./users.ts";
import { compose } from "./router.ts";

/** The running core. */
export interface Core {
  /** Handles one inbound message; resolves when its replies are sent. Never rejects. */
  handle(message: InboundMessage): Promise<void>;
  /** Resolves when every message accepted so far has been handled. */
  idle(): Promise<void>;
}

const FALLBACK_CAPS: ChannelCapabilities = { buttons: false, location: false, files: false, groups: false, maxTextLength: 4096 };

/** Options of the core. */
export interface CoreOptions {
  /** The understanding step (src/understanding); without one every text is understood as `none`. */
  understander?: Understander;
}

/** Creates the core over the given features (order matters: earlier ones see messages first). */
export function createCore(deps: AppDeps, features: Feature[], options: CoreOptions = {}): Core {
  const queue = createKeyedQueue();
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

  async function process(message: InboundMessage): Promise<void> {
    if (!(await firstDelivery(deps, message))) return;
    let loaded: LoadedUser | undefined;
    let ctx: Ctx | undefined;
    try {
      loaded = await loadOrCreateUser(deps.database, deps.config, message, deps.now());
      ctx = createCtx(deps, message, loaded, topics, understander);
      await chooseLanguage(ctx, loaded);
      await chain(ctx, async () => undefined);
    } catch (error) {
      await apologise(deps, message, loaded, ctx, error);
    }
  }

  return {
    handle: (message) => queue.run(`${message.channel}:${message.sender.id}`, () => process(message)),
    idle: () => queue.idle(),
  };
}

/** Records the message id; false when it was seen before (redelivery, replay). */
async function firstDelivery(deps: AppDeps, message: InboundMessage): Promise<boolean> {
  const first = await deps.database.hot.recordInbound(message.channel, message.messageId.slice(0, 200), deps.now());
  if (!first) deps.log.debug({ channel: message.channel, messageId: message.messageId }, "duplicate inbound message skipped");
  return first;
}

function createCtx(deps: AppDeps, message: InboundMessage, loaded: LoadedUser, topics: Map<string, (ctx: Ctx) => Promise<void>>, understander: Understander): Ctx {
  const replies: OutboundMessage[] = [];
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
      const out = typeof reply === "string" ? { text: reply } : reply;
      replies.push(out);
      const isPrivate = message.chat.kind === "private";
      await deps.messenger.send({ channel: message.channel, chatId: message.chat.id, userId: isPrivate ? user.id : undefined, lang: ctx.lang }, out);
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
    async set(flow, data, ttlMinutes = 60) {
      state.flow = flow;
      state.data = data;
      const fields = { flow, data: JSON.stringify(data ?? {}), expiresAt: new Date(deps.now().getTime() + ttlMinutes * 60_000) };
      await deps.db.conversationState.upsert({ where: { userId }, create: { userId, ...fields }, update: fields });
    },
    async clear() {
      if (state.flow === null) return;
      state.flow = null;
      state.data = {};
      await deps.db.conversationState.updateMany({ where: { userId }, data: { flow: null, data: "{}", expiresAt: null } });
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
  return ctx.reply({ text: ctx.t("common:notUnderstood"), choices: [{ data: "help:menu", label: ctx.t("common:menu.open") }] });
};

async function apologise(deps: AppDeps, message: InboundMessage, loaded: LoadedUser | undefined, ctx: Ctx | undefined, error: unknown): Promise<void> {
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
  try {
    await deps.messenger.send({ channel: message.channel, chatId: message.chat.id, lang }, { text });
  } catch (sendError) {
    deps.log.warn({ err: sendError, channel: message.channel }, "could not send the apology");
  }
}
