/**
 * Replies and the limits shared by every process (decision 1104, issue 17): a group's twenty
 * a minute count replies from every process and announcements together, and a rate limit on
 * a reply pauses the channel for the outbox and for the other processes. Two pacers on one
 * store stand for two processes on one database; a virtual clock, so nothing really waits.
 */
import { describe, expect, it } from "vitest";
import { createMemoryAdapter } from "../../src/channels/memory/index.ts";
import { ChannelError } from "../../src/core/errors.ts";
import { createMemoryLimitStore, type LimitStore } from "../../src/core/limits/store.ts";
import { createMessenger } from "../../src/core/messenger.ts";
import { createPacer, type Clock } from "../../src/features/broadcasts/pacer.ts";
import type { I18n } from "../../src/i18n/index.ts";

function virtualClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

const settings = { telegramRatePerSecond: 30, perChatGapMs: 1000, groupPerMinute: 20, whatsappMinGapMs: 4000, whatsappMaxGapMs: 12000 };

/** The memory store, told it is shared (as the PostgreSQL store is), and counting holds. */
function sharedStore(clock: Clock): LimitStore & { holds: Array<{ key: string; ms: number }> } {
  const inner = createMemoryLimitStore(() => clock.now());
  const holds: Array<{ key: string; ms: number }> = [];
  return { shared: true, holds, take: (l, m) => inner.take(l, m), hold: (l, ms) => {
      holds.push({ key: l.key, ms });
      return inner.hold(l, ms);
    },
  };
}

describe("replies and the shared limits", () => {
  it("a group's replies from two processes and its announcements keep to twenty a minute together", async () => {
    const clock = virtualClock();
    const store = sharedStore(clock);
    const [a, b] = [createPacer(settings, clock, Math.random, store), createPacer(settings, clock, Math.random, store)];
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      await a.acquire("telegram", "-100group", true);
      at.push(clock.t);
    }
    for (let i = 0; i < 30; i++) {
      await (i % 2 ? a : b).reply("telegram", "-100group", true);
      at.push(clock.t);
    }
    // 35 sends: the 21st waits for the first's minute to pass, and no 60 s hold more than 20.
    expect(at[20]! - at[0]!).toBeGreaterThanOrEqual(60_000);
    for (let i = 20; i < at.length; i++) expect(at[i]! - at[i - 20]!).toBeGreaterThanOrEqual(60_000);
  });

  it("a private chat's reply is not held by its second (it is marked for the announcements instead)", async () => {
    const clock = virtualClock();
    const pacer = createPacer(settings, clock, Math.random, sharedStore(clock));
    await pacer.reply("telegram", "42", false);
    await pacer.reply("telegram", "42", false);
    expect(clock.t).toBeLessThan(100);
    await pacer.acquire("telegram", "42", false);
    expect(clock.t).toBeGreaterThanOrEqual(1000);
  });

  it("a rate limit on a reply pauses the channel in every process, even on its last try", async () => {
    const clock = virtualClock();
    const store = sharedStore(clock);
    const [mine, other] = [createPacer(settings, clock, Math.random, store), createPacer(settings, clock, Math.random, store)];
    const once = { telegram: { burst: 5, privateGapMs: 1000, groupGapMs: 3000, attempts: 1, backoffMs: 500 } };
    const { messenger, adapter } = telegramMessenger(clock, mine, once);
    adapter.failWith = () => {
      throw new ChannelError("rate-limited", "Too Many Requests: retry after 7", 7_000);
    };
    await expect(messenger.reply({ channel: "telegram", chatId: "42", lang: "en" }, { text: "hello" })).rejects.toThrow(/Too Many Requests/);
    expect(store.holds).toEqual([{ key: "telegram:overall", ms: 7_000 }]);
    expect(mine.pausedUntil("telegram")).toBe(7_000);
    // The other process's next announcement, to someone else, waits out the hold.
    await other.acquire("telegram", "77", false);
    expect(clock.t).toBeGreaterThanOrEqual(7_000);
  });

  it("a rate limit on one chat only (WhatsApp's pair rate) pauses nothing; the reply is tried again", async () => {
    const clock = virtualClock();
    const store = sharedStore(clock);
    const pacer = createPacer(settings, clock, Math.random, store);
    const { messenger, adapter } = telegramMessenger(clock, pacer);
    const refusals = [new ChannelError("rate-limited", "one chat too fast", 5_000, { scope: "chat" })];
    adapter.failWith = () => {
      const next = refusals.shift();
      if (next) throw next;
    };
    await messenger.reply({ channel: "telegram", chatId: "42", lang: "en" }, { text: "hello" });
    expect(adapter.sent.map((s) => s.message.text)).toEqual(["hello"]);
    expect(store.holds).toEqual([]);
    expect(pacer.pausedUntil("telegram")).toBe(0);
  });
});

function telegramMessenger(clock: Clock, permits: ReturnType<typeof createPacer>, policies?: Parameters<typeof createMessenger>[0]["policies"]) {
  const i18n = { t: () => (key: string) => key } as unknown as I18n;
  const messenger = createMessenger({ hot: { rememberChoices: async () => undefined } as never, i18n, clock, permits, ...(policies ? { policies } : {}) });
  const adapter = createMemoryAdapter("telegram");
  messenger.register(adapter);
  return { messenger, adapter };
}
