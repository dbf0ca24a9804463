/**
 * Error translation over real HTTP: grammY gets the fake Bot API's error replies and the
 * adapter throws ChannelError of the right kind.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GrammyError, HttpError } from "grammy";
import { redactToken } from "../../src/channels/telegram/errors.ts";
import { toChannelError } from "../../src/channels/telegram/index.ts";
import { ChannelError } from "../../src/core/errors.ts";
import { failures, type FakeFailure } from "../support/fake-bot-api.ts";
import { createRig, type TelegramTestRig } from "./harness.ts";

let rig: TelegramTestRig;
beforeEach(async () => {
  rig = await createRig({ fake: { knownChats: ["2001", "2002", "2003", "2004"] } });
  await rig.adapter.start(async () => undefined);
});
afterEach(() => rig.close());

async function sendFailing(failure: FakeFailure, times = 1): Promise<ChannelError> {
  rig.fake.failNext({ method: "sendMessage", chatId: "2001", times, failure });
  const error = await rig.adapter.send("2001", { text: "hello" }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe("Telegram's own refusals of a chat, as the fake answers them unscripted", () => {
  it("a chat Telegram never saw → not-found; a user seen only in a group (never pressed Start) → blocked", async () => {
    const unknown = await rig.adapter.send("7777", { text: "hello" }).then(() => undefined, (e: unknown) => e);
    expect(unknown).toMatchObject({ kind: "not-found", retryable: false });
    expect(String((unknown as Error).message)).toContain("chat not found");
    rig.fake.pushText("hi all", { from: { id: 8888 }, chat: { id: -100888, type: "supergroup", title: "Exporters" } });
    const stranger = await rig.adapter.send("8888", { text: "hello" }).then(() => undefined, (e: unknown) => e);
    expect(stranger).toMatchObject({ kind: "blocked", retryable: false });
    expect(String((stranger as Error).message)).toContain("bot can't initiate conversation with a user");
  });
});

describe("Telegram errors → ChannelError", () => {
  it("429 → rate-limited with retryAfterMs from retry_after", async () => {
    const e = await sendFailing(failures.tooManyRequests(7));
    expect(e).toMatchObject({ kind: "rate-limited", retryAfterMs: 7000 });
    expect(e.retryable).toBe(true);
  });

  it("403 blocked, kicked, deactivated → blocked (not retryable)", async () => {
    for (const f of [failures.blocked(), failures.kicked(), failures.deactivated()]) {
      const e = await sendFailing(f);
      expect(e.kind).toBe("blocked");
      expect(e.retryable).toBe(false);
    }
  });

  it("400 chat not found → not-found; other 400s → bad-request", async () => {
    expect((await sendFailing(failures.chatNotFound())).kind).toBe("not-found");
    expect((await sendFailing({ error_code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", parameters: { migrate_to_chat_id: -1009 } })).message).toContain("-1009");
    // Bad entities twice: the plain-text retry fails as well.
    expect((await sendFailing(failures.badEntities(), 2)).kind).toBe("bad-request");
    expect((await sendFailing({ error_code: 400, description: "Bad Request: message text is empty" })).kind).toBe("bad-request");
  });

  it("5xx and a dropped connection → network (retryable)", async () => {
    expect((await sendFailing(failures.serverError())).kind).toBe("network");
    expect((await sendFailing(failures.badGateway())).kind).toBe("network");
    const dropped = await sendFailing(failures.network());
    expect(dropped.kind).toBe("network");
    expect(dropped.message).toMatch(/socket hang up|ECONNRESET/);
    // The fetch error names the URL with the token: it must not survive anywhere.
    expect(`${dropped.message} ${String((dropped.cause as Error).message)}`).not.toContain(rig.fake.token);
  });

  it("recovers from a one-off 'can't parse entities' by resending as plain text", async () => {
    rig.fake.failNext({ method: "sendMessage", chatId: "2002", failure: failures.badEntities() });
    await rig.adapter.send("2002", { text: "a < b & c" });
    const calls = rig.fake.calls.filter((c) => c.method === "sendMessage" && c.chatId === "2002");
    expect(calls.map((c) => c.params.parse_mode)).toEqual(["HTML", undefined]);
    expect(rig.fake.textsTo("2002")).toEqual(["a < b & c"]);
  });

  it("recovers from a 'message is too long' by sending halves, keeping the buttons on the last", async () => {
    rig.fake.failNext({ method: "sendMessage", chatId: "2003", failure: failures.tooLong() });
    const text = `${"word ".repeat(300)}\n\n${"more ".repeat(300)}`.trim();
    await rig.adapter.send("2003", { text, choices: [{ data: "help:menu", label: "Menu" }] });
    const sent = rig.fake.callsTo("sendMessage", "2003");
    expect(sent).toHaveLength(2);
    expect(sent[0]!.params.reply_markup).toBeUndefined();
    expect(sent[1]!.params.reply_markup).toBeDefined();
    expect(rig.fake.textsTo("2003").join(" ").replace(/\s+/g, " ")).toBe(text.replace(/\s+/g, " "));
  });

  it("refuses callback data over 64 bytes before calling Telegram", async () => {
    const before = rig.fake.calls.length;
    const e = await rig.adapter.send("2004", { text: "x", choices: [{ data: `ev:rsvp:${"9".repeat(60)}`, label: "Going" }] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "bad-request" });
    expect(rig.fake.calls.length).toBe(before);
  });

  it("translates errors in one function, for any input", () => {
    const ge = new GrammyError("x", { ok: false, error_code: 429, description: "Too Many Requests", parameters: {} }, "sendMessage", {});
    expect(toChannelError(ge)).toMatchObject({ kind: "rate-limited", retryAfterMs: 1000 });
    expect(toChannelError(new Error("boom")).kind).toBe("bad-request");
    const ce = new ChannelError("blocked", "x");
    expect(toChannelError(ce)).toBe(ce);
    const http = new HttpError("Network request for 'sendMessage' failed!", new Error("request to http://x/bot123456:AAH-secret_token99/sendMessage failed"));
    expect(toChannelError(http)).toMatchObject({ kind: "network" });
    expect(toChannelError(http).message).not.toContain("AAH-secret_token99");
    expect(redactToken("bot123456:AAH-secret_token99/getMe")).toBe("bot<token>/getMe");
  });
});
