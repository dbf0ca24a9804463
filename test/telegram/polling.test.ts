/**
 * The adapter in long-polling mode against the fake Bot API over real HTTP: what it calls
 * at start, how it sends, callbacks, bad input, and a burst of updates from many chats.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/core/types.ts";
import { createRig, until, type TelegramTestRig } from "./harness.ts";

let rig: TelegramTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function started(handler?: (m: InboundMessage) => Promise<void>) {
  // 3001–3009: people who pressed Start (the fake refuses chats it never saw).
  rig = await createRig({ fake: { knownChats: Array.from({ length: 9 }, (_, i) => 3001 + i) } });
  const r = rig;
  await r.adapter.start(handler ?? (async (m) => void r.received.push(m)));
  return r;
}

describe("telegram adapter: start", () => {
  it("calls getMe, sets the command menus (en default, ur), clears any webhook, then polls", async () => {
    const r = await started();
    expect(r.fake.callsTo("getMe")).toHaveLength(1);
    expect(r.fake.callsTo("deleteWebhook")).toHaveLength(1);
    const en = r.fake.commands.get("")!;
    const ur = r.fake.commands.get("ur")!;
    expect(en.map((c) => c.command)).toEqual(["start", "menu", "language", "cancel", "help"]);
    expect(ur.map((c) => c.command)).toEqual(en.map((c) => c.command));
    expect(ur[0]!.description).toMatch(/[\u0600-\u06FF]/);
    await until(() => r.fake.calls.some((c) => c.method === "getUpdates"));
    const poll = r.fake.calls.find((c) => c.method === "getUpdates")!;
    expect(poll.params.allowed_updates).toEqual(["message", "callback_query", "my_chat_member"]);
  });

  it("fails to start with a clear message when the token is rejected", async () => {
    rig = await createRig();
    rig.fake.failNext({ method: "getMe", failure: { error_code: 401, description: "Unauthorized" } });
    await expect(rig.adapter.start(async () => undefined)).rejects.toThrow(/TELEGRAM_BOT_TOKEN/);
  });
});

describe("telegram adapter: two instances", () => {
  it("a second process polling the same token: the 409 conflict is logged as a warning, not swallowed", async () => {
    const { memoryLog } = await import("../whatsapp/support.ts");
    const first = memoryLog("warn");
    rig = await createRig({ log: first.log });
    const r = rig;
    await r.adapter.start(async (m) => void r.received.push(m));
    await until(() => r.fake.calls.some((c) => c.method === "getUpdates"));
    const second = await createRig({ reuseFake: r.fake, log: memoryLog("warn").log });
    try {
      await second.adapter.start(async () => undefined);
      await until(() => r.fake.calls.some((c) => c.errorCode === 409));
      await until(() => first.messages().some((m) => /another bot instance polls this token/.test(m)));
    } finally {
      await second.close();
    }
    expect(first.lines.find((l) => /getUpdates conflict/.test(String(l.msg)))).toMatchObject({ level: 40, reason: expect.stringContaining("terminated by other getUpdates request") });
  });
});

describe("telegram adapter: sending", () => {
  it("sends HTML-escaped text with an inline keyboard, then the location, then the file", async () => {
    const r = await started();
    const sent = await r.adapter.send("3001", {
      text: "Summit <Lahore> & \"Expo\"",
      choices: [{ data: "ev:rsvp:12:going", label: "Going" }, { data: "ev:rsvp:12:no", label: "Not going" }],
      location: { latitude: 31.47, longitude: 74.27 },
      file: { filename: "summit.ics", mimeType: "text/calendar", content: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" },
    });
    expect(sent.messageId).toBe("1");
    const methods = r.fake.calls.filter((c) => c.chatId === "3001").map((c) => c.method);
    expect(methods).toEqual(["sendMessage", "sendLocation", "sendDocument"]);
    const [message] = r.fake.callsTo("sendMessage", "3001");
    expect(message!.params.parse_mode).toBe("HTML");
    expect(message!.params.text).toBe("Summit &lt;Lahore&gt; &amp; &quot;Expo&quot;");
    expect(message!.text).toBe("Summit <Lahore> & \"Expo\"");
    expect(message!.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: "Going", callback_data: "ev:rsvp:12:going" }], [{ text: "Not going", callback_data: "ev:rsvp:12:no" }]],
    });
    expect(r.fake.callsTo("sendLocation", "3001")[0]!.params).toMatchObject({ latitude: 31.47, longitude: 74.27 });
    const doc = r.fake.callsTo("sendDocument", "3001")[0]!.params.document as { filename: string; content: Buffer };
    expect(doc.filename).toBe("summit.ics");
    expect(doc.content.toString()).toBe("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
  });

  it("splits text over 4096 characters, even if the core did not", async () => {
    const r = await started();
    const long = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: ${"x".repeat(100)}`).join("\n\n");
    await r.adapter.send("3002", { text: long });
    const texts = r.fake.textsTo("3002");
    expect(texts.length).toBe(2);
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    expect(texts.join("\n\n")).toBe(long);
  });
});

describe("telegram adapter: receiving", () => {
  it("answers a button press at once and passes the choice on", async () => {
    const r = await started();
    const id = r.fake.pushCallback("lang:set:ur", { from: { id: 4001 } });
    await until(() => r.received.length === 1);
    expect(r.received[0]!.content).toEqual({ kind: "choice", data: "lang:set:ur" });
    const answer = r.fake.callsTo("answerCallbackQuery");
    expect(answer.map((c) => c.params.callback_query_id)).toEqual([id]);
    expect(answer[0]!.params.text).toBeUndefined();
  });

  it("answers forged callback data politely in the user's language and passes nothing on", async () => {
    const r = await started();
    r.fake.pushCallback("'; DROP TABLE users; --", { from: { id: 4002, language_code: "ur" } });
    r.fake.pushCallback("x".repeat(200), { from: { id: 4003, language_code: "en" } });
    await until(() => r.fake.callsTo("answerCallbackQuery").length === 2);
    const texts = r.fake.callsTo("answerCallbackQuery").map((c) => c.params.text as string);
    expect(texts[0]).toMatch(/[\u0600-\u06FF]/);
    expect(texts[1]).toMatch(/no longer works/);
    expect(r.received).toHaveLength(0);
  });

  it("ignores edited messages, channel posts and other bots; never downloads a 10 MB document", async () => {
    const r = await started();
    r.fake.push({ edited_message: { message_id: 1, date: 1, edit_date: 2, chat: { id: 5001, type: "private" }, from: { id: 5001, is_bot: false, first_name: "A" }, text: "edited" } });
    r.fake.push({ channel_post: { message_id: 1, date: 1, chat: { id: -1005, type: "channel", title: "News" }, text: "post" } });
    r.fake.pushText("/start", { from: { id: 5002, is_bot: true, first_name: "OtherBot" } });
    r.fake.pushText("", { from: { id: 5003 }, extra: { text: undefined, document: { file_id: "BIG", file_unique_id: "b", file_name: "catalogue.zip", file_size: 10 * 1024 * 1024 } } });
    r.fake.pushText("still alive?", { from: { id: 5004 } });
    await until(() => r.received.length === 2);
    await until(() => r.fake.pending() === 0);
    expect(r.received.map((m) => m.content)).toEqual([{ kind: "unsupported", what: "document" }, { kind: "text", text: "still alive?" }]);
    expect(r.fake.calls.some((c) => c.method === "getFile")).toBe(false);
  });

  it("handles a burst of 100 updates from 10 chats in order per chat, chats concurrently", async () => {
    const log: Array<{ chat: string; n: number; phase: "start" | "end" }> = [];
    let active = 0;
    let maxActive = 0;
    const r = await started(async (m) => {
      const n = Number((m.content as { text: string }).text);
      log.push({ chat: m.chat.id, n, phase: "start" });
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((res) => setTimeout(res, 2 + (n % 3)));
      active -= 1;
      log.push({ chat: m.chat.id, n, phase: "end" });
      r.received.push(m);
    });
    for (let i = 0; i < 100; i++) r.fake.pushText(String(i), { from: { id: 6000 + (i % 10) } });
    await until(() => r.received.length === 100, 10_000);
    for (let c = 0; c < 10; c++) {
      const chat = String(6000 + c);
      const events = log.filter((e) => e.chat === chat);
      // Strictly start, end, start, end … in the order sent: never two of one chat at once.
      expect(events.map((e) => e.phase)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? "end" : "start")));
      expect(events.filter((e) => e.phase === "start").map((e) => e.n)).toEqual(Array.from({ length: 10 }, (_, i) => i * 10 + c));
    }
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(10);
  });

  it("stop() waits for updates in flight", async () => {
    let finished = 0;
    const r = await started(async () => {
      await new Promise((res) => setTimeout(res, 150));
      finished += 1;
    });
    r.fake.pushText("slow one", { from: { id: 7001 } });
    r.fake.pushText("slow two", { from: { id: 7001 } });
    await until(() => r.adapter.inFlight() === 2);
    await r.adapter.stop();
    expect(finished).toBe(2);
  });

  it("passes my_chat_member changes on as events", async () => {
    const r = await started();
    const change = (chat: object, from: string, to: string) => ({
      my_chat_member: { chat, from: { id: 8001, is_bot: false, first_name: "P" }, date: 1_700_000_000, old_chat_member: { status: from, user: r.fake.botUser }, new_chat_member: { status: to, user: r.fake.botUser } },
    });
    r.fake.push(change({ id: -100777, type: "supergroup", title: "Partners" }, "left", "member"));
    r.fake.push(change({ id: 8001, type: "private", first_name: "P" }, "member", "kicked"));
    await until(() => r.received.length === 2);
    expect(r.received.map((m) => [m.chat.kind, m.content])).toEqual([
      ["group", { kind: "event", event: "added-to-group" }],
      ["private", { kind: "event", event: "blocked" }],
    ]);
  });
});
