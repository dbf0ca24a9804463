/**
 * Sends an {@link OutboundMessage} on any running channel, adapted to what the channel can
 * do: long text split at paragraph boundaries, choices as buttons or as a numbered list
 * (remembered per user so a reply "2" means the second choice; the database `hot` path stores them).
 * Replies to someone who wrote are paced per chat and retried on rate limits and network
 * faults, and each part takes the deployment's shared permits (the channel's overall rate,
 * ahead of announcements: docs/decisions/1104); announcements go through the outbox worker,
 * which paces and retries them itself.
 */
import type { HotPath } from "../db/hot-path.ts";
import type { I18n } from "../i18n/index.ts";
import { isChannelError } from "./errors.ts";
import type { Adapter, ChannelCapabilities, ChannelId, Choice, Lang, OutboundMessage, SentMessage } from "./types.ts";

/** Where a message goes. */
export interface Target {
  channel: ChannelId;
  chatId: string;
  /** The recipient's user id, for private chats: numbered choices are stored for them. */
  userId?: number;
  lang: Lang;
  /** A group chat (paced more slowly: Telegram allows 20 messages a minute in one). */
  isGroup?: boolean;
}

/** Time for the reply pacing and retries; tests pass a virtual one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))) };

/** How replies on one channel are paced per chat and retried. */
export interface ReplyPolicy {
  /** Parts a chat may get at once before the pace applies (one answer is often 2–3 parts). */
  burst: number;
  /** Then one part per this long in a private chat … */
  privateGapMs: number;
  /** … and in a group. */
  groupGapMs: number;
  /** Tries per part on a rate limit (waiting retry_after) or a network fault / 5xx (backoff). */
  attempts: number;
  /** First backoff after a network fault; doubles each time. */
  backoffMs: number;
}

/**
 * Telegram: about one message a second per chat with short bursts, 20 a minute in a group
 * (docs/decisions/0404-pacing.md). WhatsApp gets the same per-chat pace: a burst of answers
 * to a burst of questions is what spam looks like. The terminal is not paced.
 */
export const REPLY_POLICIES: Partial<Record<ChannelId, ReplyPolicy>> = {
  telegram: { burst: 5, privateGapMs: 1000, groupGapMs: 3000, attempts: 5, backoffMs: 500 },
  whatsapp: { burst: 5, privateGapMs: 1000, groupGapMs: 3000, attempts: 5, backoffMs: 500 },
  "whatsapp-cloud": { burst: 5, privateGapMs: 1000, groupGapMs: 3000, attempts: 5, backoffMs: 500 },
};

/**
 * The platform's limits shared with the outbox (the pacer, src/features/broadcasts/pacer.ts):
 * resolves when one part of a reply may leave.
 */
export interface ReplyPermits {
  reply(channel: ChannelId, chatId: string, isGroup: boolean): Promise<void>;
  /** Holds the channel until `untilMs` (a rate limit on a reply), in every process sharing the limits. */
  pause(channel: ChannelId, untilMs: number): void;
}

/** Thrown by {@link Messenger.send} when its gate held the first part back: nothing was sent. */
export class SendHeldError extends Error {
  constructor() {
    super("send held back before its first part");
    this.name = "SendHeldError";
  }
}

/** Options of one {@link Messenger.send}. */
export interface SendOptions {
  /**
   * Called right before each part is handed to the channel (the last moment to check the
   * send's permit is fresh, or take one for a further part). False on the first part: nothing
   * is sent and the send throws {@link SendHeldError}; on a later part: the rest is not sent.
   */
  gate?: (part: number) => Promise<boolean>;
}

/** Sends messages on the registered channels. */
export interface Messenger {
  register(adapter: Adapter): void;
  unregister(channel: ChannelId): void;
  /** Capabilities of a running channel, undefined when it is not running. */
  capabilities(channel: ChannelId): ChannelCapabilities | undefined;
  /** Sends one message (possibly as several parts); throws ChannelError from the adapter. */
  send(target: Target, message: OutboundMessage, options?: SendOptions): Promise<SentMessage[]>;
  /**
   * Sends a reply to someone who wrote: each part waits for the chat's pace and is retried
   * on rate limits and network faults (a bounded number of times; then the ChannelError).
   */
  reply(target: Target, message: OutboundMessage): Promise<SentMessage[]>;
}

/**
 * Creates a {@link Messenger} over the database (for stored choices) and translations.
 * `permits`: the shared limits replies take too (without: replies are paced per chat only).
 */
export function createMessenger(deps: { hot: HotPath; i18n: I18n; clock?: Clock; policies?: Partial<Record<ChannelId, ReplyPolicy>>; permits?: ReplyPermits }): Messenger {
  const adapters = new Map<ChannelId, Adapter>();
  const clock = deps.clock ?? systemClock;
  const policies = deps.policies ?? REPLY_POLICIES;
  const pace = createChatPace(clock);
  const deliver = async (target: Target, message: OutboundMessage, paced: boolean, options: SendOptions = {}): Promise<SentMessage[]> => {
    const adapter = adapters.get(target.channel);
    if (!adapter) throw new Error(`channel ${target.channel} is not running`);
    const caps = adapter.capabilities;
    let text = message.text;
    // More choices (or longer labels) than the channel's buttons hold are numbered instead.
    const limit = caps.choiceLimit;
    const asButtons = caps.buttons && (!limit || !message.choices || (message.choices.length <= limit.count && message.choices.every((c) => Array.from(c.label).length <= limit.labelLength)));
    if (message.choices?.length && !asButtons) {
      text = `${text}\n\n${numberedList(message.choices)}\n\n${deps.i18n.t(target.lang)("common:choices.replyWithNumber")}`;
    }
    if (message.choices?.length && target.userId !== undefined) {
      await rememberChoices(deps.hot, target.userId, asButtons ? [] : message.choices);
    }
    const parts = splitText(text, caps.maxTextLength);
    const policy = paced ? policies[target.channel] : undefined;
    const sent: SentMessage[] = [];
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const native: OutboundMessage = {
        text: part,
        choices: last && asButtons ? message.choices : undefined,
        location: last && caps.location ? message.location : undefined,
        file: last && caps.files ? message.file : undefined,
        // A channel that cannot send media back gets the text alone (types.ts).
        ...(last && caps.media && message.media ? { media: message.media } : {}),
        ...(message.threadId !== undefined ? { threadId: message.threadId } : {}),
        ...(last && message.template ? { template: message.template } : {}),
        paidBroadcast: message.paidBroadcast,
      };
      if (!policy) {
        if (options.gate && !(await options.gate(i))) {
          if (i === 0) throw new SendHeldError();
          break;
        }
        sent.push(await adapter.send(target.chatId, native));
        continue;
      }
      await pace(`${target.channel}:${target.chatId}`, policy.burst, target.isGroup ? policy.groupGapMs : policy.privateGapMs);
      // Each try is a request the platform counts: each takes its shared permit, just before it leaves.
      const permits = deps.permits;
      sent.push(
        await retrying(
          policy,
          clock,
          async () => {
            await permits?.reply(target.channel, target.chatId, target.isGroup === true);
            return adapter.send(target.chatId, native);
          },
          // The platform refused the bot, not this chat: the outbox and the other processes wait too.
          (untilMs) => permits?.pause(target.channel, untilMs),
        ),
      );
    }
    return sent;
  };
  return {
    register: (adapter) => void adapters.set(adapter.channel, adapter),
    unregister: (channel) => void adapters.delete(channel),
    capabilities: (channel) => adapters.get(channel)?.capabilities,
    send: (target, message, options) => deliver(target, message, false, options),
    reply: (target, message) => deliver(target, message, true),
  };
}

/**
 * Runs `send`, trying again on rate limits (after retry_after) and network faults (backoff).
 * `paused` hears of a rate limit on the whole channel (not one chat's), with when it ends.
 */
async function retrying<T>(policy: ReplyPolicy, clock: Clock, send: () => Promise<T>, paused?: (untilMs: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (isChannelError(error) && error.kind === "rate-limited" && error.scope !== "chat") paused?.(clock.now() + (error.retryAfterMs ?? 1000));
      if (!isChannelError(error) || !error.retryable || attempt >= policy.attempts) throw error;
      // retry_after is the earliest time; chats refused together would all come back in the
      // same instant and be refused again, so each waits up to half as long again.
      const wait = error.kind === "rate-limited" ? (error.retryAfterMs ?? 1000) * (1 + Math.random() / 2) : policy.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
      await clock.sleep(wait);
    }
  }
}

/**
 * Per-chat pace as a token bucket: `burst` parts at once, then one per `gapMs`. Parts for
 * one chat take their turn in order; idle chats are forgotten.
 */
function createChatPace(clock: Clock): (key: string, burst: number, gapMs: number) => Promise<void> {
  const chats = new Map<string, { credit: number; at: number; turn: Promise<void>; waiting: number }>();
  let takes = 0;
  const forgetIdle = () => {
    const now = clock.now();
    for (const [key, c] of chats) if (c.waiting === 0 && now - c.at > 60_000) chats.delete(key);
  };
  return async (key, burst, gapMs) => {
    if (++takes % 1000 === 0) forgetIdle();
    let chat = chats.get(key);
    if (!chat) chats.set(key, (chat = { credit: burst, at: clock.now(), turn: Promise.resolve(), waiting: 0 }));
    const c = chat;
    c.waiting += 1;
    const mine = c.turn.then(async () => {
      const now = clock.now();
      c.credit = Math.min(burst, c.credit + (now - c.at) / gapMs);
      c.at = now;
      if (c.credit < 1) {
        await clock.sleep((1 - c.credit) * gapMs);
        c.credit = 1;
        c.at = clock.now();
      }
      c.credit -= 1;
    });
    c.turn = mine;
    try {
      await mine;
    } finally {
      c.waiting -= 1;
    }
  };
}

/** "1. Going\n2. Maybe" */
export function numberedList(choices: Choice[]): string {
  return choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n");
}

async function rememberChoices(hot: HotPath, userId: number, choices: Choice[]): Promise<void> {
  await hot.rememberChoices(userId, JSON.stringify(choices.map(({ data, label }) => ({ data, label }))), new Date());
}

/**
 * Splits text into parts of at most `max` characters, preferring paragraph breaks, then
 * line breaks, then spaces; never splits a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = window.lastIndexOf("\n\n");
    if (cut < max / 2) cut = window.lastIndexOf("\n");
    if (cut < max / 2) cut = window.lastIndexOf(" ");
    if (cut <= 0) cut = max;
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1] ?? "")) cut -= 1;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}
