/**
 * Stops a reply loop: another bot (or an auto-responder) that answers every message would
 * have the two bots answering each other forever. Counting the messages the bot answers in
 * one chat, more than `maxReplies` within `windowMs` pauses answering that chat for
 * `pauseMs`, logged once. Only replies pass here: announcements from the outbox never do.
 * The state is in memory, bounded (the least recently used chats are forgotten first): a
 * restart forgets a pause, which costs at most another `maxReplies` answers.
 */
import type { Logger } from "pino";

/** The guard's limits (config: REPLY_GUARD_MAX_REPLIES, REPLY_GUARD_WINDOW_MS, REPLY_GUARD_PAUSE_MS). */
export interface ReplyGuardLimits {
  /** Answers one chat may get within `windowMs`; 0 turns the guard off. */
  maxReplies: number;
  windowMs: number;
  /** How long a chat over the limit is not answered. */
  pauseMs: number;
}

/** The defaults: more than 10 answers to one chat in a minute pauses it for 10 minutes. */
export const REPLY_GUARD_DEFAULTS: ReplyGuardLimits = { maxReplies: 10, windowMs: 60_000, pauseMs: 10 * 60_000 };

/** Chats remembered at most; beyond this the least recently answered ones are dropped. */
const MAX_CHATS = 10_000;

/** Decides, per answer, whether the bot may reply to a chat. */
export interface ReplyGuard {
  /**
   * Counts one answer to `chat` (call it once per message answered, not per part) and says
   * whether it may go out. False while the chat is paused.
   */
  allow(chat: string): boolean;
  /** Whether `chat` is paused now (nothing is counted). */
  paused(chat: string): boolean;
  /** Chats currently remembered (for tests: the state stays bounded). */
  readonly size: number;
}

/** Creates a guard with `limits` (defaults for what is missing). */
export function createReplyGuard(options: { limits?: Partial<ReplyGuardLimits>; log: Pick<Logger, "warn">; now: () => number; maxChats?: number }): ReplyGuard {
  const limits = { ...REPLY_GUARD_DEFAULTS, ...options.limits };
  const maxChats = options.maxChats ?? MAX_CHATS;
  // chat → times of its recent answers (at most maxReplies) and the end of a pause.
  const chats = new Map<string, { times: number[]; pausedUntil: number }>();
  return {
    allow(chat) {
      if (limits.maxReplies <= 0) return true;
      const now = options.now();
      let entry = chats.get(chat);
      if (entry) chats.delete(chat);
      else entry = { times: [], pausedUntil: 0 };
      // Re-inserted: the Map's order is the order of last use, oldest first.
      chats.set(chat, entry);
      if (chats.size > maxChats) chats.delete(chats.keys().next().value as string);
      if (entry.pausedUntil > now) return false;
      while (entry.times.length && now - entry.times[0]! >= limits.windowMs) entry.times.shift();
      if (entry.times.length >= limits.maxReplies) {
        entry.pausedUntil = now + limits.pauseMs;
        entry.times = [];
        options.log.warn(
          { chat, maxReplies: limits.maxReplies, windowMs: limits.windowMs, pauseMs: limits.pauseMs },
          "reply loop guard: too many answers to one chat (another bot?); not answering it for a while",
        );
        return false;
      }
      entry.times.push(now);
      return true;
    },
    paused(chat) {
      return (chats.get(chat)?.pausedUntil ?? 0) > options.now();
    },
    get size() {
      return chats.size;
    },
  };
}
