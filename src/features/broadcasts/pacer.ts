/**
 * Pacing per channel, with limits shared by every process (docs/decisions/0404-pacing.md,
 * docs/decisions/1101-shared-limits.md). A channel is defined by the named limits a send
 * to one chat must take (src/core/limits): Telegram's overall rate (plus a minimum gap of a
 * quarter slot so a second's sends do not leave in one burst), one per second per private
 * chat, twenty per minute per group. WhatsApp on Baileys: one at a time with a random gap
 * (one process holds the number, so that gap stays in the process). Other channels (the
 * WhatsApp Cloud API) register theirs with {@link Pacer.define}. A rate-limit answer pauses
 * the whole channel, in every process when the store is shared.
 * Time comes from an injectable clock so tests can check the pace without waiting.
 */
import { createMemoryLimitStore, type Limit, type LimitStore } from "../../core/limits/store.ts";
import type { ChannelId } from "../../core/types.ts";
import type { Config } from "../../config.ts";

/** Time source and sleep; tests pass a virtual one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Pace settings. */
export interface PaceSettings {
  telegramRatePerSecond: number;
  /** Per private chat: at least this much between two sends (Telegram: 1 s). */
  perChatGapMs: number;
  /** Per group: at most this many per minute (Telegram: 20). */
  groupPerMinute: number;
  whatsappMinGapMs: number;
  whatsappMaxGapMs: number;
  /** WhatsApp Cloud API: sends per second over all chats (WHATSAPP_CLOUD_RATE_PER_SECOND) … */
  whatsappCloudRatePerSecond?: number;
  /** … and at least this long between two sends to one user (WHATSAPP_CLOUD_USER_GAP_MS). */
  whatsappCloudUserGapMs?: number;
}

/** The pace the configuration asks for (Telegram's per chat and per group are Telegram's own). */
export function paceSettings(config: Pick<Config, "telegramRatePerSecond" | "whatsapp" | "whatsappCloud">): PaceSettings {
  return {
    telegramRatePerSecond: config.telegramRatePerSecond,
    perChatGapMs: 1000,
    groupPerMinute: 20,
    whatsappMinGapMs: config.whatsapp.minGapMs,
    whatsappMaxGapMs: config.whatsapp.maxGapMs,
    whatsappCloudRatePerSecond: config.whatsappCloud?.ratePerSecond,
    whatsappCloudUserGapMs: config.whatsappCloud?.userGapMs,
  };
}

/** What a channel's sends must respect. */
export interface ChannelRules {
  /** Limits for the whole channel (its overall rate); the first is the one a pause holds. */
  channel: Limit[];
  /** Limits for one chat (per chat, per group); may be empty. */
  chat(chatId: string, isGroup: boolean): Limit[];
  /** A gap this process keeps between two of its sends, drawn per send (Baileys' random gap). */
  localGapMs?: () => number;
}

/** Who waits for a permit: a reply to someone who wrote goes ahead of announcements in this process. */
export type Priority = "reply" | "bulk";

/**
 * The answer to {@link Pacer.grant}: the permits are taken (`askedAt`: this process's clock
 * just before the successful take was asked, so the permits were stamped no earlier), or
 * not: the wait was aborted, or the chat's own limits are not free for `deferMs` (longer
 * than the caller was willing to wait).
 */
export type Grant = { ok: true; askedAt: number } | { ok: false; aborted: true } | { ok: false; aborted: false; deferMs: number };

/** How to wait for a grant. */
export interface GrantOptions {
  /** Stop waiting (resolves not ok, aborted) when this turns true. */
  abort?: () => boolean;
  /** Take the channel-wide limits only (the chat's permit is already held). */
  channelOnly?: boolean;
  /** Default "bulk"; "reply" goes ahead of every bulk taker waiting in this process. */
  priority?: Priority;
  /** When the chat's own limits ask to wait longer than this, do not wait: answer `deferMs`. */
  maxChatWaitMs?: number;
}

/** Hands out send slots. */
export interface Pacer {
  /**
   * Waits for a slot to send to `chatId` on `channel`, then reserves it. Resolves false
   * without reserving when `abort()` turns true while waiting (the worker is stopping).
   * A channel without rules is not paced. `channelOnly`: take the channel-wide limits only
   * (a send that already holds its chat's permit but took too long to leave).
   */
  acquire(channel: ChannelId | string, chatId: string, isGroup: boolean, abort?: () => boolean, channelOnly?: boolean): Promise<boolean>;
  /** Like {@link acquire}, with a priority, a bound on the chat's wait, and when the permits were taken. */
  grant(channel: ChannelId | string, chatId: string, isGroup: boolean, options?: GrantOptions): Promise<Grant>;
  /**
   * Makes sure a grant is still fresh just before its send leaves: taken at most
   * {@link FRESH_MS} ago, or else fresh channel-wide permits are taken (ahead of the queue)
   * and the stale ones are left unused. Not ok when aborted or still stale after a few tries
   * (a process too busy to send on time sends nothing rather than crowd a second). The
   * chat's one-a-second permit is stamped again with the fresh ones, so the next send to
   * that chat counts its second from this send, not from the stale permit.
   */
  fresh(channel: ChannelId | string, chatId: string, isGroup: boolean, grant: Grant, abort?: () => boolean): Promise<Grant>;
  /**
   * The shared permits for one part of a reply to someone who wrote: the channel's overall
   * limits, ahead of announcements, fresh; a private chat's limits are marked, not waited for
   * (an announcement to that chat then waits its turn); a group's are waited for. Resolves
   * when the part may leave.
   */
  reply(channel: ChannelId | string, chatId: string, isGroup: boolean): Promise<void>;
  /** Holds the whole channel until `untilMs` (a 429's retry_after). */
  pause(channel: ChannelId | string, untilMs: number): void;
  /** When the channel may send again after a pause (0 when not paused). */
  pausedUntil(channel: ChannelId | string): number;
  /** Sets (or replaces) a channel's rules: how another channel plugs its limits in. */
  define(channel: ChannelId | string, rules: ChannelRules): void;
}

/**
 * The most a permit may have aged (from just before its take was asked to its send being
 * handed to the channel) for the send to use it. Together with the time from there to the
 * platform (serialising, the network, the platform's own queue), it must stay within
 * {@link JITTER_MS} for arrivals to keep the rate in any second (docs/decisions/1104).
 */
export const FRESH_MS = 25;

/** Tries at fresh permits before a send that is always late gives up (and goes back to the queue). */
const FRESH_TRIES = 3;

/** Margin on Telegram's one-second window for the spread between taking a permit and arriving. */
export const JITTER_MS = 60;

/**
 * Telegram's limits: `rate` per second overall, one a second per chat, `groupPerMinute` per
 * group. `lane` names the overall limit: paid broadcasts ("telegram-paid") have their own
 * rate but share the per-chat and per-group limits.
 */
export function telegramRules(settings: Pick<PaceSettings, "telegramRatePerSecond" | "perChatGapMs" | "groupPerMinute">, lane = "telegram"): ChannelRules {
  const prefix = "telegram";
  const rate = settings.telegramRatePerSecond;
  return {
    // At most `rate` in any second and a little more (JITTER_MS): Telegram counts arrivals, and
    // the time from taking a permit to the request reaching Telegram varies (the state read
    // before each send, the event loop, the network); a window longer by that much keeps
    // arrivals within `rate` in any second. And at least half a slot between sends: a send
    // that started late can be caught up at up to twice the pace without exceeding the cap,
    // so timer lateness does not lower the sustained rate, and bursts stay small.
    channel: [
      { key: `${lane}:overall`, limit: rate, windowMs: 1000 + JITTER_MS },
      { key: `${lane}:gap`, limit: 1, windowMs: 1000 / rate / 2 },
    ],
    chat: (chatId, isGroup) =>
      isGroup
        ? [{ key: `${prefix}:group:${chatId}`, limit: settings.groupPerMinute, windowMs: 60_000 }]
        : // The same margin on a chat's second: two sends to one chat never arrive in one second.
          [{ key: `${prefix}:chat:${chatId}`, limit: 1, windowMs: settings.perChatGapMs + JITTER_MS }],
  };
}

/**
 * Creates a pacer with Telegram's and WhatsApp's rules. `random` picks WhatsApp gaps
 * (injectable for tests); `store` keeps the limits (default in memory, this process only).
 */
export function createPacer(settings: PaceSettings, clock: Clock = systemClock, random: () => number = Math.random, store?: LimitStore): Pacer {
  const limits = store ?? createMemoryLimitStore(() => clock.now());
  const rules = new Map<string, ChannelRules>();
  const paused = new Map<string, number>();
  const nextLocal = new Map<string, number>();
  // One taker per channel talks to the store at a time: the others wait their turn here
  // instead of all asking the (shared) store every time a permit might be free. Replies
  // (and fresh permits for late sends) wait ahead of announcements.
  const turns = new Map<string, { busy: boolean; waiting: Array<{ rank: number; go: () => void }> }>();

  rules.set("telegram", telegramRules(settings));
  // WhatsApp Cloud API: a rate over all users and a gap between two sends to one user (no
  // groups). Like Telegram's: a window a little longer than a second, and half a slot between
  // two sends, so that a second's permits never leave in one burst at the window's edge.
  const cloudRate = settings.whatsappCloudRatePerSecond ?? 60;
  rules.set("whatsapp-cloud", {
    channel: [
      { key: "whatsapp-cloud:overall", limit: cloudRate, windowMs: 1000 + JITTER_MS },
      { key: "whatsapp-cloud:gap", limit: 1, windowMs: 1000 / cloudRate / 2 },
    ],
    chat: (chatId) => [{ key: `whatsapp-cloud:chat:${chatId}`, limit: 1, windowMs: settings.whatsappCloudUserGapMs ?? 6000 }],
  });
  rules.set("whatsapp", {
    channel: [],
    chat: () => [],
    localGapMs: () => settings.whatsappMinGapMs + random() * (settings.whatsappMaxGapMs - settings.whatsappMinGapMs),
  });

  async function inTurn<T>(channel: string, priority: Priority, work: () => Promise<T>): Promise<T> {
    let turn = turns.get(channel);
    if (!turn) turns.set(channel, (turn = { busy: false, waiting: [] }));
    const t = turn;
    if (t.busy) {
      const rank = priority === "reply" ? 0 : 1;
      await new Promise<void>((go) => {
        // After every waiter of the same or a higher rank: first come, first served within a rank.
        const at = t.waiting.findIndex((w) => w.rank > rank);
        t.waiting.splice(at < 0 ? t.waiting.length : at, 0, { rank, go });
      });
    }
    // Handed over busy by the one before, or taken now.
    t.busy = true;
    try {
      return await work();
    } finally {
      const next = t.waiting.shift();
      if (next) next.go();
      else t.busy = false;
    }
  }

  type Attempt = { taken: true; askedAt: number } | { taken: false; aborted: boolean; waitMs: number };

  /** Waits out the channel-wide limits holding the turn; leaves it when only the chat's refuse. */
  async function attempt(channel: string, r: ChannelRules, wanted: Limit[], marks: Limit[], reply: boolean, abort?: () => boolean): Promise<Attempt> {
    const channelKeys = new Set(r.channel.map((l) => l.key));
    for (;;) {
      if (abort?.()) return { taken: false, aborted: true, waitMs: 0 };
      const now = clock.now();
      // A reply is not held by Baileys' gap between announcements (it answers someone who wrote).
      const at = Math.max(paused.get(channel) ?? 0, reply ? 0 : (nextLocal.get(channel) ?? 0));
      if (at > now) {
        // Short slices, so a stopping worker is not held by a long WhatsApp gap.
        await clock.sleep(Math.min(at - now, 250));
        continue;
      }
      const askedAt = clock.now();
      const result = wanted.length || marks.length ? await limits.take(wanted, marks) : { taken: true, waitMs: 0, refused: [] };
      if (result.taken) {
        if (r.localGapMs && !reply) nextLocal.set(channel, clock.now() + r.localGapMs());
        return { taken: true, askedAt };
      }
      // This chat must wait (one a second, twenty a minute in a group): leave the turn to other chats.
      const chatWait = result.refused.filter((x) => !channelKeys.has(x.key));
      if (chatWait.length) return { taken: false, aborted: false, waitMs: Math.max(...chatWait.map((x) => x.waitMs)) };
      await clock.sleep(Math.min(result.waitMs, 250));
    }
  }

  async function grant(channel: string, chatId: string, isGroup: boolean, options: GrantOptions = {}, marks: Limit[] = []): Promise<Grant> {
    const { abort, channelOnly = false, priority = "bulk", maxChatWaitMs = Infinity } = options;
    const r = rules.get(channel);
    if (!r) return abort?.() ? { ok: false, aborted: true } : { ok: true, askedAt: clock.now() };
    const wanted = channelOnly ? r.channel : [...r.channel, ...r.chat(chatId, isGroup)];
    for (;;) {
      if (abort?.()) return { ok: false, aborted: true };
      const result = await inTurn(channel, priority, () => attempt(channel, r, wanted, marks, priority === "reply", abort));
      if (result.taken) return { ok: true, askedAt: result.askedAt };
      if (result.aborted) return { ok: false, aborted: true };
      // A long wait for this chat (a group's twenty a minute) is not spent holding a row.
      if (result.waitMs > maxChatWaitMs) return { ok: false, aborted: false, deferMs: result.waitMs };
      await clock.sleep(Math.min(result.waitMs, 250));
    }
  }

  /** The chat's one-permit limits (one a second per private chat): marked by replies and fresh permits. */
  const chatMarks = (r: ChannelRules | undefined, chatId: string, isGroup: boolean) => (r ? r.chat(chatId, isGroup).filter((l) => l.limit === 1) : []);

  async function fresh(channel: string, chatId: string, isGroup: boolean, first: Grant, abort?: () => boolean): Promise<Grant> {
    let g = first;
    for (let tries = 0; ; tries++) {
      if (!g.ok || clock.now() - g.askedAt <= FRESH_MS) return g;
      if (tries >= FRESH_TRIES) return { ok: false, aborted: false, deferMs: 0 };
      // The stale permits stay used: the rate comes out lower, never higher.
      g = await grant(channel, chatId, isGroup, { abort, channelOnly: true, priority: "reply" }, chatMarks(rules.get(channel), chatId, isGroup));
    }
  }

  return {
    async acquire(channel, chatId, isGroup, abort, channelOnly = false) {
      // A fresh permit for a send that is already late goes ahead of the queue.
      const g = await grant(channel, chatId, isGroup, { abort, channelOnly, priority: channelOnly ? "reply" : "bulk" });
      return g.ok;
    },
    grant: (channel, chatId, isGroup, options) => grant(channel, chatId, isGroup, options),
    fresh: (channel, chatId, isGroup, g, abort) => fresh(channel, chatId, isGroup, g, abort),
    async reply(channel, chatId, isGroup) {
      const r = rules.get(channel);
      if (!r) return;
      // A private chat's one a second is marked, not waited for (the person wrote; an
      // announcement to them waits its second instead). A group's twenty a minute are waited
      // for, like an announcement's: they are one count for the whole deployment, and a reply
      // past them is refused by Telegram all the same.
      const marks = chatMarks(r, chatId, isGroup);
      for (;;) {
        const g = await fresh(channel, chatId, isGroup, await grant(channel, chatId, isGroup, { channelOnly: !isGroup, priority: "reply" }, marks));
        if (g.ok) return;
      }
    },
    pause(channel, untilMs) {
      paused.set(channel, Math.max(paused.get(channel) ?? 0, untilMs));
      const overall = rules.get(channel)?.channel[0];
      // Every other process sharing the store waits too: the platform refused the bot, not us.
      if (overall && limits.shared) void limits.hold(overall, untilMs - clock.now()).catch(() => undefined);
    },
    pausedUntil: (channel) => paused.get(channel) ?? 0,
    define(channel, channelRules) {
      rules.set(channel, channelRules);
    },
  };
}
