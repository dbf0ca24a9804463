import { getContentType, proto } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { toInbound, type InboundContext } from "../../src/channels/whatsapp/inbound.ts";
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

  it("stickers, voice notes, polls and images are unsupported (the user gets a polite note)", async () => {
    expect((await one("sticker")).content).toEqual({ kind: "unsupported", what: "sticker" });
    expect((await one("voice")).content).toEqual({ kind: "unsupported", what: "voice" });
    expect((await one("poll")).content).toEqual({ kind: "unsupported", what: "poll" });
    expect((await one("image")).content).toEqual({ kind: "unsupported", what: "image" });
  });

  it("ignores reactions, protocol messages, own messages, status broadcasts and undecryptable stubs", async () => {
    expect(await skipped("reaction")).toBe("silent message type");
    expect(await skipped("protocol")).toBe("silent message type");
    expect(await skipped("from-me")).toBe("own message");
    expect(await skipped("status-broadcast")).toBe("status broadcast");
    expect(await skipped("undecryptable")).toMatch(/no content/);
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
