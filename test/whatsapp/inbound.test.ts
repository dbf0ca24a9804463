import { getContentType, proto } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { mediaMessageOf, toInbound, type InboundContext } from "../../src/channels/whatsapp/inbound.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { BOT, FIXTURE_NAMES, FIXTURE_NOW, upsert } from "./support.ts";

const mapping: Record<string, string> = { "201234567890123@lid": "923001110001@s.whatsapp.net" };
const ctx = (over: Partial<InboundContext> = {}): InboundContext => ({
  groups: false,
  me: BOT,
  resolveAlias: async (jid) => mapping[jid],
  now: () => FIXTURE_NOW,
  ...over,
});

async function convert(name: string, over: Partial<InboundContext> = {}) {
  const u = upsert(name);
  return Promise.all(u.messages.map((m) => toInbound(m, u.type, ctx(over))));
}
async function one(name: string, over: Partial<InboundContext> = {}): Promise<InboundMessage> {
  const [r] = await convert(name, over);
  if (!r?.ok) throw new Error(`${name} skipped: ${r?.reason}`);
  return r.message;
}
async function skipped(name: string, over: Partial<InboundContext> = {}): Promise<string> {
  const [r] = await convert(name, over);
  if (!r || r.ok) throw new Error(`${name} was not skipped`);
  return r.reason;
}

describe("recorded fixtures", () => {
  it("are valid Baileys messages: each decodes as proto.WebMessageInfo with its content type intact", () => {
    expect(FIXTURE_NAMES.length).toBeGreaterThanOrEqual(20);
    for (const name of FIXTURE_NAMES) {
      for (const m of upsert(name).messages) {
        const decoded = proto.WebMessageInfo.fromObject(m);
        expect(decoded.key?.id, name).toBe(m.key.id);
        expect(getContentType(decoded.message ?? undefined), name).toBe(getContentType(m.message ?? undefined));
        // Encoding and decoding again keeps the message (no field lost to a misspelt name).
        const again = proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(decoded).finish());
        expect(JSON.stringify(again.message), name).toBe(JSON.stringify(decoded.message));
      }
    }
  });
});

describe("inbound: what reaches the core", () => {
  it("text with the phone JID as id and the LID as alias, the message id stable, the push name", async () => {
    const m = await one("text");
    expect(m).toMatchObject({
      channel: "whatsapp",
      messageId: "3EB0A1B2C3D4E5F60001",
      chat: { id: "923001110001@s.whatsapp.net", kind: "private" },
      sender: { id: "923001110001@s.whatsapp.net", aliases: ["201234567890123@lid"], displayName: "Ali Traders" },
      content: { kind: "text", text: "salam" },
    });
    expect(m.sentAt.toISOString()).toBe("2026-11-27T10:00:00.000Z");
  });

  it("extended text, ephemeral text and a numbered reply are text", async () => {
    expect((await one("extended-text")).content).toEqual({ kind: "text", text: "What documents do I need? see https://example.com/seller_guide" });
    expect((await one("ephemeral")).content).toEqual({ kind: "text", text: "disappearing hello" });
    expect((await one("reply-number")).content).toEqual({ kind: "text", text: "2" });
    expect((await one("empty-text")).content).toEqual({ kind: "text", text: "" });
  });

  it("locations with name and address; live locations; impossible coordinates become unsupported", async () => {
    expect((await one("location")).content).toEqual({ kind: "location", latitude: 32.4945, longitude: 74.5229, name: "Sialkot Chamber of Commerce", address: "Shahab Pura Road, Sialkot" });
    expect((await one("live-location")).content).toEqual({ kind: "location", latitude: 31.5204, longitude: 74.3587 });
    expect((await one("location-impossible")).content).toEqual({ kind: "unsupported", what: "invalid-location" });
  });

  it("stickers, polls and photos without a caption are unsupported (the user gets a polite note)", async () => {
    expect((await one("sticker")).content).toEqual({ kind: "unsupported", what: "sticker" });
    expect((await one("poll")).content).toEqual({ kind: "unsupported", what: "poll" });
    expect((await one("image-no-caption")).content).toEqual({ kind: "unsupported", what: "image" });
  });

  it("ignores reactions, protocol messages, own messages, status broadcasts and undecryptable stubs", async () => {
    expect(await skipped("reaction")).toBe("silent message type");
    expect(await skipped("protocol")).toBe("silent message type");
    expect(await skipped("from-me")).toBe("own message");
    expect(await skipped("status-broadcast")).toBe("status broadcast");
    expect(await skipped("undecryptable")).toMatch(/no content|stub/);
  });

  it("ignores groups unless configured; then a mention of the bot is addressed to it and chatter is not", async () => {
    expect(await skipped("group-mention")).toMatch(/group/);
    const m = await one("group-mention", { groups: true });
    expect(m).toMatchObject({
      chat: { id: "120363012345678901@g.us", kind: "group" },
      sender: { id: "923002220002@s.whatsapp.net", aliases: ["209876543210987@lid"] },
      addressedToBot: true,
    });
    expect((await one("group-chatter", { groups: true })).addressedToBot).toBe(false);
  });

  it("maps the LID and phone forms of one person the same way whichever arrives", async () => {
    const lidFirst = await one("lid-first");
    expect(lidFirst.chat.id).toBe("209876543210987@lid");
    expect(lidFirst.sender).toMatchObject({ id: "923002220002@s.whatsapp.net", aliases: ["209876543210987@lid"] });
    // No alt in the key: the lid-mapping store fills it in.
    const noAlt = await one("lid-no-alt");
    expect(noAlt.sender).toMatchObject({ id: "923001110001@s.whatsapp.net", aliases: ["201234567890123@lid"] });
    // Unknown mapping: the LID alone, no crash.
    const unknown = await one("lid-no-alt", { resolveAlias: async () => undefined });
    expect(unknown.sender.id).toBe("201234567890123@lid");
    expect(unknown.sender.aliases).toBeUndefined();
  });

  it("a replay under the other addressing form keeps the message id (the core handles it once)", async () => {
    const first = await one("text");
    const replay = await one("replay");
    expect(replay.messageId).toBe(first.messageId);
    expect(replay.sender.id).toBe(first.sender.id);
  });

  it("takes recent 'append' messages and skips old history", async () => {
    expect((await one("append-recent")).content).toEqual({ kind: "text", text: "sent while offline" });
    expect(await skipped("append-old")).toBe("old history");
  });

  it("never throws on nonsense", async () => {
    const junk = [{}, { key: {} }, { key: { id: "x", remoteJid: "nonsense" }, message: { unknownThing: {} } }, { key: { id: "y", remoteJid: "1@s.whatsapp.net" }, message: { conversation: null } }];
    for (const m of junk) await expect(toInbound(m as never, "notify", ctx())).resolves.toBeDefined();
  });
});

describe("inbound: voice notes, captions, quotes (issue 14)", () => {
  it("a voice note (ptt) and an audio file are voice, with a MediaRef that gives the message back for a forward", async () => {
    const voice = await one("voice");
    expect(voice.content).toMatchObject({ kind: "voice", media: { channel: "whatsapp", type: "voice", mimeType: "audio/ogg; codecs=opus", durationSeconds: 4 } });
    const audio = await one("audio");
    expect(audio.content).toMatchObject({ kind: "voice", media: { type: "audio", mimeType: "audio/mpeg", durationSeconds: 95 } });
    const media = (voice.content as Extract<InboundMessage["content"], { kind: "voice" }>).media;
    // The inbox stores the message as JSON: the ref must survive it.
    const back = mediaMessageOf(JSON.parse(JSON.stringify(media)));
    const original = upsert("voice").messages[0]!;
    expect(back?.key).toMatchObject({ id: original.key.id, remoteJid: original.key.remoteJid, fromMe: false });
    expect(back?.message?.audioMessage?.ptt).toBe(true);
    expect(back?.message?.audioMessage?.directPath).toBe("/v/t62.7117-24/voice.enc");
    expect(Buffer.from(back!.message!.audioMessage!.mediaKey!).toString("base64")).toBe("b3V0c2lkZS10ZXN0LWtleQ==");
    expect(mediaMessageOf({ channel: "whatsapp", type: "voice", ref: "not json" })).toBeUndefined();
    expect(mediaMessageOf({ channel: "telegram", type: "voice", ref: "voice:AwAC" })).toBeUndefined();
  });

  it("a photo, video or document with a caption is a text message with the file attached", async () => {
    expect((await one("image")).content).toMatchObject({ kind: "text", text: "price of this?", attachment: { channel: "whatsapp", type: "image", mimeType: "image/jpeg" } });
    expect((await one("video-caption")).content).toMatchObject({ kind: "text", text: "is this packing ok for export?", attachment: { type: "video", durationSeconds: 12 } });
    expect((await one("document-caption")).content).toMatchObject({ kind: "text", text: "is this the right NTN document?", attachment: { type: "document", filename: "ntn-certificate.pdf", mimeType: "application/pdf" } });
  });

  it("a quoted reply carries the quoted message's id (stanzaId)", async () => {
    const m = await one("quoted-reply");
    expect(m.replyToMessageId).toBe("3EB0BOTSENT000000001");
    expect(m.content).toEqual({ kind: "text", text: "yes, please tell me the fee" });
    expect((await one("text")).replyToMessageId).toBeUndefined();
  });

  it("an edit is never a new question, in the business shape, the protocol shape, inside a disappearing chat, or with plain text inside", async () => {
    for (const name of ["edited-business", "edited-protocol", "edited-ephemeral", "edited-inner-text"]) expect(await skipped(name), name).toBe("edited message");
  });

  it("status updates (stories), channels (newsletters) and broadcast lists are never answered", async () => {
    expect(await skipped("story")).toBe("status broadcast");
    expect(await skipped("newsletter")).toBe("broadcast list or channel");
    expect(await skipped("broadcast-list")).toBe("broadcast list or channel");
    // A story shared into a group (groupStatusMessageV2) is not a question either.
    expect(await skipped("group-story", { groups: true })).toBe("status update (story)");
  });

  it("automated senders are not answered: buttons, templates, interactive messages, payment requests, system stubs, bot accounts and bot ids", async () => {
    expect(await skipped("buttons")).toBe("automated sender (buttonsMessage)");
    expect(await skipped("template")).toBe("automated sender (templateMessage)");
    expect(await skipped("interactive")).toBe("automated sender (interactiveMessage)");
    expect(await skipped("request-payment")).toBe("automated sender (requestPaymentMessage)");
    expect(await skipped("send-payment")).toBe("automated sender (sendPaymentMessage)");
    expect(await skipped("stub-group-add", { groups: true })).toBe("system message (stub)");
    expect(await skipped("stub-with-message")).toBe("system message (stub)");
    expect(await skipped("meta-ai")).toBe("automated sender (a bot account)");
    expect(await skipped("baileys-bot")).toBe("automated sender (Baileys message id)");
  });

  it("in a group, a mention of the bot in a caption addresses it", async () => {
    const m = await one("group-caption-mention", { groups: true });
    expect(m.addressedToBot).toBe(true);
    expect(m.content).toMatchObject({ kind: "text", text: "@205555555555555 price of this?" });
  });
});
