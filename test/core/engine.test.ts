import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryAdapter } from "../../src/channels/memory/index.ts";
import type { Feature } from "../../src/core/context.ts";
import { createCore } from "../../src/core/engine.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const texts = (replies: Array<{ text: string }>) => replies.map((r) => r.text).join("\n---\n");

describe("first contact", () => {
  it("creates the user, guesses Urdu from the text, and shows the menu in Urdu", async () => {
    const replies = await t.send("مدد", { id: "ur-user" });
    expect(texts(replies)).toContain("السلام علیکم");
    const identity = await t.database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "console", externalId: "ur-user" } }, include: { user: true } });
    expect(identity.user.language).toBe("ur");
    expect(identity.user.role).toBe("seller");
  });

  it("uses the platform hint when the text says nothing", async () => {
    const replies = await t.send("/start", { id: "hint-user", languageHint: "ur" });
    expect(texts(replies)).toContain("السلام علیکم");
  });

  it("answers hello in English with numbered choices on a channel without buttons", async () => {
    const [reply] = await t.send("hello", { id: "en-user" });
    expect(reply?.text).toMatch(/Assalam-o-Alaikum/);
    expect(reply?.text).toMatch(/1\. Ask a question/);
    expect(reply?.text).toMatch(/Reply with a number/);
  });
});

describe("language switch", () => {
  it("switches by numbered choice and keeps the explicit choice over detection", async () => {
    await t.send("language", { id: "switcher" });
    const [changed] = await t.send("3", { id: "switcher" });
    expect(changed?.text).toMatch(/Roman Urdu mein jawab/);
    // An English question is still answered in Roman Urdu: the explicit choice wins.
    const [after] = await t.send("What documents do I need for the account please", { id: "switcher" });
    expect(after?.text).not.toMatch(/[\u0600-\u06FF]/);
    expect(after?.text).toMatch(/\b(aap|ke liye|karein|chahiye|hai)\b/);
    const user = await t.database.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "switcher" }, include: { user: true } });
    expect(user.user).toMatchObject({ language: "ur-Latn", languageExplicit: true });
  });

  it("follows the language written in when none was chosen", async () => {
    await t.send("hello", { id: "follower" });
    const [reply] = await t.send("mujhe samajh nahi aa raha kya karna hai", { id: "follower" });
    expect(reply?.text).toMatch(/Maazrat, main samajh nahi saka/);
  });
});

describe("bad input", () => {
  const cases: Array<[string, string]> = [
    ["empty", ""],
    ["whitespace and controls", " \u0000\u0007 \t "],
    ["20,000 characters", "a".repeat(20_000)],
    ["invalid UTF-16", "\uD800\uDC00\uD800 hello \uDFFF"],
    ["RTL override", "\u202Ehello\u202C"],
    ["zalgo", "h\u0300\u0301\u0302\u0303\u0304e\u0305\u0306\u0307llo"],
  ];
  for (const [name, text] of cases) {
    it(`answers ${name} politely`, async () => {
      const replies = await t.send(text, { id: `bad-${name}` });
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text.length).toBeGreaterThan(10);
      expect(replies[0]!.text).not.toMatch(/Error|at \w+ \(/);
    });
  }

  it("answers stickers and voice notes in the user's language", async () => {
    await t.send("سلام", { id: "sticker" });
    const [reply] = await t.send({ kind: "unsupported", what: "sticker" }, { id: "sticker" });
    expect(reply?.text).toContain("معذرت");
  });
});

describe("guarantees", () => {
  it("handles a message delivered twice, and twice at once, only once", async () => {
    const message = t.inbound("hello", { id: "dup" });
    const before = t.adapter.sent.length;
    await Promise.all([t.adapter.receive(message), t.adapter.receive(message)]);
    await t.adapter.receive(message);
    expect(t.adapter.sent.length - before).toBe(1);
  });

  it("keeps one user's order and runs different users concurrently", async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const slow: Feature = {
      name: "slow",
      middleware: async (ctx) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 15));
        seen.push(`${ctx.message.sender.id}:${ctx.text}`);
        active -= 1;
      },
    };
    const core = createCore(t.app.deps, [slow]);
    const messages: InboundMessage[] = [];
    for (let i = 0; i < 10; i++) for (const u of ["a", "b", "c"]) messages.push(t.inbound(String(i), { id: `order-${u}` }));
    await Promise.all(messages.map((m) => core.handle(m)));
    for (const u of ["a", "b", "c"]) {
      const mine = seen.filter((s) => s.startsWith(`order-${u}:`)).map((s) => Number(s.split(":")[1]));
      expect(mine).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(maxActive).toBeGreaterThan(1);
  });

  it("apologises in the user's language when a handler throws, and keeps going", async () => {
    const broken: Feature = { name: "broken", middleware: async (ctx) => { if (ctx.text.includes("boom")) throw new Error("boom"); await ctx.reply("ok"); } };
    const core = createCore(t.app.deps, [broken]);
    const adapter = t.adapter;
    const before = adapter.sent.length;
    await core.handle(t.inbound("boom کیا ہے", { id: "thrower" }));
    await core.handle(t.inbound("fine", { id: "thrower" }));
    const sent = adapter.sent.slice(before).map((s) => s.message.text);
    expect(sent[0]).toContain("معذرت");
    expect(sent[1]).toBe("ok");
  });

  it("answers from a second adapter instance on another channel", async () => {
    const other = createMemoryAdapter("telegram", { buttons: true });
    t.app.deps.messenger.register(other);
    await other.start(t.app.core.handle);
    await other.receive({ ...t.inbound("menu", { id: "tg1" }), channel: "telegram" });
    expect(other.sent[0]?.message.choices?.length).toBeGreaterThan(0);
    expect(other.sent[0]?.message.text).not.toMatch(/Reply with a number/);
  });
});
