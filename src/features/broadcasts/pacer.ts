/**
 * Pacing per channel, in one process. Telegram: at most `ratePerSecond` sends overall
 * (evenly spaced), one per second per chat, twenty per minute per group. WhatsApp: one at
 * a time with a random gap between sends. A rate-limit answer pauses the whole channel.
 * Time comes from an injectable clock so tests can check the pace without waiting.
 */
import type { ChannelId } from "../../core/types.ts";

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

/** Hands out send slots. */
export interface Pacer {
  /**
   * Waits for a slot to send to `chatId` on `channel`, then reserves it. Resolves false
   * without reserving when `abort()` turns true while waiting (the worker is stopping).
   */
  acquire(channel: ChannelId, chatId: string, isGroup: boolean, abort?: () => boolean): Promise<boolean>;
  /** Holds the whole channel until `untilMs` (a 429's retry_after). */
  pause(channel: ChannelId, untilMs: number): void;
  /** When the channel may send again after a pause (0 when not paused). */
  pausedUntil(channel: ChannelId): number;
}

/** Creates a pacer. `random` picks WhatsApp gaps (injectable for tests). */
export function createPacer(settings: PaceSettings, clock: Clock = systemClock, random: () => number = Math.random): Pacer {
  const paused = new Map<ChannelId, number>();
  const nextGlobal = new Map<ChannelId, number>();
  const recent = new Map<ChannelId, number[]>();
  const nextChat = new Map<string, number>();
  const groupWindow = new Map<string, number[]>();
  // Channels paced by a rate over all chats plus a gap per chat: Telegram, and the Cloud API
  // with its own figures (it has no groups).
  const rates: Partial<Record<ChannelId, { perSecond: number; chatGapMs: number }>> = {
    telegram: { perSecond: settings.telegramRatePerSecond, chatGapMs: settings.perChatGapMs },
    "whatsapp-cloud": { perSecond: settings.whatsappCloudRatePerSecond ?? 60, chatGapMs: settings.whatsappCloudUserGapMs ?? 6000 },
  };
  let lastPrune = 0;

  /** Earliest time a send may start now, or the reservation made when it is due. */
  function due(channel: ChannelId, chatId: string, isGroup: boolean, now: number): number {
    let at = Math.max(paused.get(channel) ?? 0, nextGlobal.get(channel) ?? 0);
    const rate = rates[channel];
    if (rate) {
      // Never more than `rate` sends started in any one-second window.
      const window = recent.get(channel) ?? [];
      while (window.length && window[0]! <= now - 1000) window.shift();
      recent.set(channel, window);
      const cap = rate.perSecond;
      if (window.length >= cap) at = Math.max(at, window[window.length - cap]! + 1000);
      if (isGroup) {
        const window = (groupWindow.get(chatId) ?? []).filter((t) => t > now - 60_000);
        groupWindow.set(chatId, window);
        if (window.length >= settings.groupPerMinute) at = Math.max(at, window[0]! + 60_000);
      } else {
        at = Math.max(at, nextChat.get(`${channel}:${chatId}`) ?? 0);
      }
    }
    return at;
  }

  function reserve(channel: ChannelId, chatId: string, isGroup: boolean, now: number): void {
    const rate = rates[channel];
    if (rate) {
      // Two rules: at most `rate` in any second (the window above), and at least a quarter of a
      // slot between sends. A send that started late (a busy event loop, a slow answer)
      // can be caught up at up to four times the pace without ever exceeding the per-second cap, so
      // timer lateness does not lower the sustained rate and bursts stay small.
      recent.get(channel)!.push(now);
      nextGlobal.set(channel, now + 1000 / rate.perSecond / 4);
      if (isGroup) groupWindow.get(chatId)!.push(now);
      else nextChat.set(`${channel}:${chatId}`, now + rate.chatGapMs);
    } else if (channel === "whatsapp") {
      const gap = settings.whatsappMinGapMs + random() * (settings.whatsappMaxGapMs - settings.whatsappMinGapMs);
      nextGlobal.set(channel, now + gap);
    }
    if (now - lastPrune > 60_000) prune(now);
  }

  function prune(now: number): void {
    lastPrune = now;
    for (const [chat, t] of nextChat) if (t < now) nextChat.delete(chat);
    for (const [chat, w] of groupWindow) if ((w.at(-1) ?? 0) < now - 60_000) groupWindow.delete(chat);
  }

  return {
    async acquire(channel, chatId, isGroup, abort) {
      for (;;) {
        if (abort?.()) return false;
        const now = clock.now();
        const at = due(channel, chatId, isGroup, now);
        if (at <= now) {
          reserve(channel, chatId, isGroup, now);
          return true;
        }
        // Sleep in short slices so a stopping worker is not held by a long WhatsApp gap.
        await clock.sleep(Math.min(at - now, 250));
      }
    },
    pause(channel, untilMs) {
      paused.set(channel, Math.max(paused.get(channel) ?? 0, untilMs));
    },
    pausedUntil: (channel) => paused.get(channel) ?? 0,
  };
}
