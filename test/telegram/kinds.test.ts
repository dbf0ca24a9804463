/**
 * What people really send on Telegram (issue 14), from fixtures in the Bot API's shapes:
 * voice notes, captions, venues, edits, supergroup migration, anonymous admins, posts as a
 * channel, other bots, forum topics and replies. The translation first, then sends.
 */
import { afterEach, describe, expect, it } from "vitest";
import { toChannelError, toInbound, type InboundDecision } from "../../src/channels/telegram/index.ts";
import { ChannelError } from "../../src/core/errors.ts";
import type { InboundMessage, MediaRef } from "../../src/core/types.ts";
import { FIXTURE_BOT, fixture, fixtureUpdate } from "./fixtures.ts";
import { createRig, until, type TelegramTestRig } from "./harness.ts";

const me = FIXTURE_BOT;
const decide = (name: string): InboundDecision => toInbound(fixtureUpdate(name), me);
function deliver(name: string): InboundMessage {
  const d = decide(name);
  if (d.action !== "deliver") throw new Error(`${name}: ${d.action} ${"reason" in d ? d.reason : ""}`);
  return d.message;
}
const ignored = (name: string) => {
  const d = decide(name);
  return d.action === "ignore" ? d.reason : `not ignored: ${d.action}`;
};

describe("telegram translation: voice notes and files", () => {
  it("a voice note, an audio file and a round video note are voice, with file_id, duration and type", () => {
    expect(deliver("voice").content).toEqual({
      kind: "voice",
      media: { channel: "telegram", type: "voice", ref: "voice:AwACAgQAAxkBAAIB9WZvoiceNoteFileId01", mimeType: "audio/ogg", durationSeconds: 7 },
    });
    expect(deliver("audio").content).toMatchObject({ kind: "voice", media: { type: "audio", ref: "audio:CQACAgQAAxkBAAIB9mZvaudioFileId02", mimeType: "audio/mpeg", durationSeconds: 95, filename: "question.mp3" } });
    expect(deliver("video-note").content).toMatchObject({ kind: "voice", media: { type: "video", ref: "video_note:DQACAgQAAxkBAAIB92ZvideoNoteFileId03", durationSeconds: 12 } });
  });

  it("a caption is the message: the largest photo (or the document) is attached; a mention in a caption is removed and addresses the bot", () => {
    expect(deliver("photo-caption").content).toEqual({
      kind: "text",
      text: "what documents do I need to export this?",
      attachment: { channel: "telegram", type: "image", ref: "photo:AgACAgQAAxkBAAIB-GZphotoLarge04" },
    });
    expect(deliver("document-caption").content).toMatchObject({ kind: "text", text: "is this catalogue ok for the listing?", attachment: { type: "document", filename: "catalogue.pdf", mimeType: "application/pdf" } });
    const inGroup = deliver("group-photo-caption-mention");
    expect(inGroup.addressedToBot).toBe(true);
    expect(inGroup.content).toMatchObject({ kind: "text", text: "price of listing?" });
  });

  it("a photo without a caption stays unsupported", () => {
    expect(deliver("photo-no-caption").content).toEqual({ kind: "unsupported", what: "photo" });
  });

  it("a venue is a location with its name and address", () => {
    expect(deliver("venue").content).toEqual({ kind: "location", latitude: 31.470213, longitude: 74.275864, name: "Expo Centre Lahore", address: "Abdul Haque Rd, Johar Town, Lahore" });
  });

  it("an edited message is not a new question", () => {
    expect(ignored("edited")).toBe("edited message");
  });
});

describe("telegram translation: groups", () => {
  it("a group upgraded to a supergroup: both notices become the same migration event, each with its own id", () => {
    const to = deliver("migrate-to");
    const from = deliver("migrate-from");
    for (const m of [to, from]) expect(m.content).toEqual({ kind: "event", event: "group-migrated", fromChatId: "-4518810793", toChatId: "-1002471352452" });
    expect(to.chat.id).toBe("-4518810793");
    expect(from.chat.id).toBe("-1002471352452");
    expect(to.messageId).not.toBe(from.messageId);
  });

  it("an anonymous admin (sender_chat is the group, from is GroupAnonymousBot) is a person: its /link is passed on", () => {
    const m = deliver("anonymous-admin-link");
    expect(m.content).toEqual({ kind: "text", text: "/link K7MQ2P" });
    expect(m.sender).toEqual({ id: "-1001234567890", displayName: "Sialkot Exporters" });
    expect(m.addressedToBot).toBe(true);
  });

  it("a post 'as a channel' in a group is from that channel, not a bot", () => {
    const m = deliver("as-channel");
    expect(m.sender).toEqual({ id: "-1009876543210", displayName: "Sialkot Sports Goods" });
    expect(m.content).toEqual({ kind: "text", text: "/menu" });
  });

  it("real bots and a channel's automatic forward into its discussion group are ignored", () => {
    expect(ignored("other-bot")).toBe("message from a bot");
    expect(ignored("automatic-forward")).toMatch(/automatic forward/);
  });

  it("a message in a forum topic carries the topic; the topic's root is not taken for a reply", () => {
    const m = deliver("forum-topic");
    expect(m.chat).toEqual({ id: "-1003333333333", kind: "group", title: "Lahore Sellers Forum", threadId: "305" });
    expect(m.replyToMessageId).toBeUndefined();
    // Outside topics no thread is set, even on a supergroup message.
    expect(deliver("anonymous-admin-link").chat.threadId).toBeUndefined();
  });

  it("a reply carries the replied-to message id, in the form the bot's own sends return", () => {
    const m = deliver("reply-to-bot");
    expect(m.replyToMessageId).toBe("42");
    expect(deliver("voice").replyToMessageId).toBeUndefined();
  });
});

describe("telegram errors: a group upgraded to a supergroup", () => {
  it("400 with parameters.migrate_to_chat_id is 'migrated' with the new id; without it still not-found", async () => {
    const { GrammyError } = await import("grammy");
    const upgraded = new GrammyError("x", { ok: false, error_code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", parameters: { migrate_to_chat_id: -1002471352452 } }, "sendMessage", {});
    const error = toChannelError(upgraded);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.kind).toBe("migrated");
    expect(error.migrateToChatId).toBe("-1002471352452");
    expect(error.retryable).toBe(false);
    const bare = new GrammyError("x", { ok: false, error_code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat" }, "sendMessage", {});
    expect(toChannelError(bare).kind).toBe("not-found");
  });
});

describe("telegram sends: media by file_id, captions, topics (fake Bot API over HTTP)", () => {
  let rig: TelegramTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  async function started(): Promise<TelegramTestRig> {
    rig = await createRig();
    await rig.adapter.start(async (m) => void rig!.received.push(m));
    return rig;
  }
  /** Delivers a fixture through getUpdates (the fake then knows its chat, files and topics) and returns what the adapter made of it. */
  async function receive(r: TelegramTestRig, name: string): Promise<InboundMessage> {
    const before = r.received.length;
    r.fake.push(fixture(name));
    await until(() => r.received.length > before);
    return r.received.at(-1)!;
  }
  const mediaOf = (m: InboundMessage): MediaRef => (m.content.kind === "voice" ? m.content.media : (m.content as { attachment: MediaRef }).attachment);

  it("declares media", async () => {
    const r = await started();
    expect(r.adapter.capabilities.media).toBe(true);
  });

  it("a voice note goes back by sendVoice with the text as its HTML caption, the buttons under it", async () => {
    const r = await started();
    const voice = mediaOf(await receive(r, "voice"));
    const sent = await r.adapter.send("1001", { text: "Voice note from <Ayesha> & co", media: voice, choices: [{ data: "ho:done", label: "Done" }] });
    const [call] = r.fake.callsTo("sendVoice", 1001);
    expect(call!.params).toMatchObject({ voice: "AwACAgQAAxkBAAIB9WZvoiceNoteFileId01", parse_mode: "HTML" });
    expect(call!.text).toBe("Voice note from <Ayesha> & co");
    expect(sent.messageId).toBe(String((call!.result as { message_id: number }).message_id));
    expect(r.fake.callsTo("sendMessage", 1001)).toHaveLength(0);
    expect(JSON.stringify(call!.params.reply_markup)).toContain("ho:done");
  });

  it("each kind goes with its own method (audio, photo, document, video note without a caption)", async () => {
    const r = await started();
    await r.adapter.send("1001", { text: "audio", media: mediaOf(await receive(r, "audio")) });
    await r.adapter.send("1001", { text: "photo", media: mediaOf(await receive(r, "photo-caption")) });
    await r.adapter.send("1001", { text: "doc", media: mediaOf(await receive(r, "document-caption")) });
    await r.adapter.send("1001", { text: "round video", media: mediaOf(await receive(r, "video-note")) });
    expect(r.fake.callsTo("sendAudio", 1001).map((c) => c.text)).toEqual(["audio"]);
    expect(r.fake.callsTo("sendPhoto", 1001).map((c) => c.text)).toEqual(["photo"]);
    expect(r.fake.callsTo("sendDocument", 1001).map((c) => c.text)).toEqual(["doc"]);
    // A video note takes no caption: the text goes first as a message.
    expect(r.fake.callsTo("sendVideoNote", 1001)).toHaveLength(1);
    expect(r.fake.callsTo("sendVideoNote", 1001)[0]!.params.caption).toBeUndefined();
    expect(r.fake.textsTo(1001)).toEqual(["round video"]);
  });

  it("a text over the 1024-character caption limit goes as a message of its own, then the file", async () => {
    const r = await started();
    const voice = mediaOf(await receive(r, "voice"));
    const long = `${"Seller details. ".repeat(80)}end`;
    expect(long.length).toBeGreaterThan(1024);
    await r.adapter.send("1001", { text: long, media: voice });
    expect(r.fake.textsTo(1001)).toEqual([long]);
    const [call] = r.fake.callsTo("sendVoice", 1001);
    expect(call!.params.caption).toBeUndefined();
    expect(r.fake.calls.filter((c) => c.ok && c.chatId === "1001").map((c) => c.method)).toEqual(["sendMessage", "sendVoice"]);
    // Exactly 1024 still fits as a caption.
    await r.adapter.send("1001", { text: "x".repeat(1024), media: voice });
    expect(r.fake.callsTo("sendVoice", 1001)[1]!.text).toHaveLength(1024);
  });

  it("a file Telegram does not know, or a WhatsApp ref, never breaks the send", async () => {
    const r = await started();
    await receive(r, "voice");
    const error = await r.adapter.send("1001", { text: "x", media: { channel: "telegram", type: "voice", ref: "voice:NOPE" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "bad-request" });
    // Another channel's media: the text alone.
    await r.adapter.send("1001", { text: "text only", media: { channel: "whatsapp", type: "voice", ref: "{}" } });
    expect(r.fake.textsTo(1001)).toEqual(["text only"]);
  });

  it("sends to a forum topic carry message_thread_id (text, location, media)", async () => {
    const r = await started();
    const m = await receive(r, "forum-topic");
    const voice = mediaOf(await receive(r, "voice"));
    await r.adapter.send(m.chat.id, { text: "Answer in the topic", threadId: m.chat.threadId, location: { latitude: 31.5, longitude: 74.3 } });
    const [text] = r.fake.callsTo("sendMessage", m.chat.id);
    expect(text!.params.message_thread_id).toBe(305);
    expect(r.fake.callsTo("sendLocation", m.chat.id)[0]!.params.message_thread_id).toBe(305);
    // The fake refuses a topic it never saw, as Telegram does: the id is really checked.
    const wrong = await r.adapter.send(m.chat.id, { text: "x", threadId: "999" }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ kind: "bad-request" });
    expect(voice.ref).toMatch(/^voice:/);
  });

  it("a send to an upgraded group fails as 'migrated' carrying the new id (the real error shape)", async () => {
    const r = await started();
    await receive(r, "migrate-to");
    const error = await r.adapter.send("-4518810793", { text: "Announcement" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: "migrated", migrateToChatId: "-1002471352452" });
    expect((error as Error).message).toMatch(/group chat was upgraded to a supergroup chat.*-1002471352452/);
    await r.adapter.send("-1002471352452", { text: "Announcement" });
    expect(r.fake.textsTo("-1002471352452")).toEqual(["Announcement"]);
  });
});
