/** Pacing with a virtual clock: no real waiting, exact figures. */
import { describe, expect, it } from "vitest";
import { createPacer, JITTER_MS, type Clock } from "../../src/features/broadcasts/pacer.ts";

function virtualClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

const settings = { telegramRatePerSecond: 25, perChatGapMs: 1000, groupPerMinute: 20, whatsappMinGapMs: 4000, whatsappMaxGapMs: 12000 };

describe("pacer", () => {
  it("spaces Telegram sends to the configured rate overall", async () => {
    const clock = virtualClock();
    const pacer = createPacer(settings, clock);
    const at: number[] = [];
    for (let i = 0; i < 101; i++) {
      await pacer.acquire("telegram", `chat${i}`, false);
      at.push(clock.t);
    }
    // 25 in any window of a second plus the jitter margin: 101 sends take four such windows, never less.
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(4 * (1000 + JITTER_MS) - 1);
    expect(at.at(-1)! - at[0]!).toBeLessThan(4 * (1000 + JITTER_MS) + 100);
    for (let i = 25; i < at.length; i++) expect(at[i]! - at[i - 25]!).toBeGreaterThanOrEqual(1000 - 20);
  });

  it("allows one send per second to the same private chat", async () => {
    const clock = virtualClock();
    const pacer = createPacer(settings, clock);
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pacer.acquire("telegram", "same", false);
      at.push(clock.t);
    }
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it("allows at most 20 per minute to one group", async () => {
    const clock = virtualClock();
    const pacer = createPacer(settings, clock);
    const at: number[] = [];
    for (let i = 0; i < 45; i++) {
      await pacer.acquire("telegram", "-100", true);
      at.push(clock.t);
    }
    for (let i = 20; i < at.length; i++) expect(at[i]! - at[i - 20]!).toBeGreaterThanOrEqual(60_000);
  });

  it("pauses the whole channel after a rate limit", async () => {
    const clock = virtualClock();
    const pacer = createPacer(settings, clock);
    await pacer.acquire("telegram", "a", false);
    pacer.pause("telegram", clock.t + 3000);
    await pacer.acquire("telegram", "b", false);
    expect(clock.t).toBeGreaterThanOrEqual(3000);
  });

  it("puts random gaps within the configured range between WhatsApp sends", async () => {
    const clock = virtualClock();
    let r = 0;
    const pacer = createPacer(settings, clock, () => (r = (r + 0.37) % 1));
    const at: number[] = [];
    for (let i = 0; i < 10; i++) {
      await pacer.acquire("whatsapp", `w${i}`, false);
      at.push(clock.t);
    }
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(4000);
      expect(g).toBeLessThanOrEqual(12000 + 250);
    }
    expect(new Set(gaps.map((g) => Math.round(g / 100))).size).toBeGreaterThan(3);
  });

  it("gives up waiting when told to abort", async () => {
    const clock = virtualClock();
    const pacer = createPacer(settings, clock);
    await pacer.acquire("whatsapp", "w", false);
    expect(await pacer.acquire("whatsapp", "w2", false, () => true)).toBe(false);
  });
});
