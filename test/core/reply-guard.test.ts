/** The reply loop guard on its own: the limit, the pause and its end, one warning, bounded memory. */
import { describe, expect, it } from "vitest";
import { createReplyGuard, REPLY_GUARD_DEFAULTS } from "../../src/core/reply-guard.ts";
import { loadConfig } from "../../src/config.ts";

function rig(limits = {}, maxChats?: number) {
  let now = 1_000_000;
  const warnings: unknown[] = [];
  const guard = createReplyGuard({ limits, log: { warn: (obj: unknown) => void warnings.push(obj) } as never, now: () => now, maxChats });
  return { guard, warnings, advance: (ms: number) => (now += ms) };
}

describe("reply guard", () => {
  it("defaults: 10 answers a minute, then a 10-minute pause (and the config says the same)", () => {
    expect(REPLY_GUARD_DEFAULTS).toEqual({ maxReplies: 10, windowMs: 60_000, pauseMs: 600_000 });
    expect(loadConfig({}).replyGuard).toEqual(REPLY_GUARD_DEFAULTS);
    expect(loadConfig({ REPLY_GUARD_MAX_REPLIES: "3", REPLY_GUARD_PAUSE_MS: "5000" }).replyGuard).toEqual({ maxReplies: 3, windowMs: 60_000, pauseMs: 5000 });
  });

  it("allows 10 answers to a chat within a minute, refuses the 11th, warns once, and answers again after the pause", () => {
    const { guard, warnings, advance } = rig();
    for (let i = 0; i < 10; i++) {
      expect(guard.allow("telegram:1")).toBe(true);
      advance(1000);
    }
    expect(guard.allow("telegram:1")).toBe(false);
    expect(guard.paused("telegram:1")).toBe(true);
    for (let i = 0; i < 20; i++) expect(guard.allow("telegram:1")).toBe(false);
    expect(warnings).toEqual([{ chat: "telegram:1", maxReplies: 10, windowMs: 60_000, pauseMs: 600_000 }]);
    // Other chats are not affected.
    expect(guard.allow("telegram:2")).toBe(true);
    advance(600_000);
    expect(guard.paused("telegram:1")).toBe(false);
    expect(guard.allow("telegram:1")).toBe(true);
  });

  it("answers spread over more than the window never pause a chat", () => {
    const { guard, warnings, advance } = rig();
    for (let i = 0; i < 100; i++) {
      expect(guard.allow("whatsapp:a")).toBe(true);
      advance(6_001);
    }
    expect(warnings).toHaveLength(0);
  });

  it("keeps memory bounded: the least recently answered chats are forgotten first", () => {
    const { guard } = rig({}, 100);
    for (let i = 0; i < 1000; i++) guard.allow(`telegram:${i}`);
    expect(guard.size).toBe(100);
  });

  it("0 turns it off", () => {
    const { guard } = rig({ maxReplies: 0 });
    for (let i = 0; i < 50; i++) expect(guard.allow("telegram:1")).toBe(true);
  });
});
