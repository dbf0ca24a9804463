/**
 * The whole app (createApp on a real test database, every feature) with the WhatsApp
 * adapter on a fake Baileys socket, driven by the recorded message fixtures.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { createWhatsAppChannel, type WhatsAppAdapter } from "../../src/channels/whatsapp/index.ts";
import { loadConfig } from "../../src/config.ts";
import type { Lang } from "../../src/core/types.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { fakeSockets, FIXTURE_NOW, storeLinkedSession, until, upsert } from "./support.ts";

const PN = "923001110001@s.whatsapp.net";
const LID = "201234567890123@lid";

let database: TestDatabase;
let app: App;
let adapter: WhatsAppAdapter;
const sockets = fakeSockets();

beforeAll(async () => {
  database = await createTestDatabase();
  await storeLinkedSession(database.prisma);
  const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", WHATSAPP_ENABLED: "true", LOG_LEVEL: "silent" });
  app = await createApp(config, { database, log: pino({ level: "silent" }), now: () => FIXTURE_NOW });
  adapter = await createWhatsAppChannel(app.deps, { socketFactory: sockets.factory, openTimeoutMs: 2000, sleep: async () => undefined });
  app.deps.messenger.register(adapter);
  await adapter.start(app.core.handle);
});
afterAll(async () => {
  await adapter.stop();
  await app.core.idle();
  await app.close();
  await database.cleanup();
});

/** Delivers an upsert and returns the texts the bot sent back (as the reader sees them). */
async function deliver(payload: ReturnType<typeof upsert>, expectReply = true): Promise<Array<{ jid: string; text: string }>> {
  const socket = sockets.latest;
  const before = socket.sent.length;
  socket.emit("messages.upsert", payload);
  if (expectReply) await until(() => socket.sent.length > before, 5000);
  else await new Promise((r) => setTimeout(r, 150));
  await app.core.idle();
  return socket.sent.slice(before).map((s) => ({ jid: s.jid, text: "text" in s.content ? s.content.text.replaceAll("\u200B", "") : "" }));
}

async function userLang(): Promise<Lang> {
  const identity = await database.prisma.channelIdentity.findFirstOrThrow({ where: { channel: "whatsapp", externalId: PN }, include: { user: true } });
  return identity.user.language as Lang;
}

describe("WhatsApp end to end", () => {
  let languageNumber = "";

  it('a recorded "salam" gets the numbered menu', async () => {
    const replies = await deliver(upsert("text"));
    expect(replies[0]!.jid).toBe(PN);
    const t = app.deps.i18n.t(await userLang());
    expect(replies[0]!.text).toContain(t("common:menu.title"));
    expect(replies[0]!.text).toContain(t("common:choices.replyWithNumber"));
    expect(replies[0]!.text).toMatch(/^1\. /m);
    // On first contact the broadcasts feature may follow up with its one-time WhatsApp
    // consent question (its own numbered list): the menu is the first reply, at most one more.
    expect(replies.length).toBeLessThanOrEqual(2);
    // Asked again, the menu is the last list offered, so its numbers count.
    const again = upsert("text");
    again.messages[0]!.key.id = "3EB0A1B2C3D4E5F6E2E1";
    const [menu, ...rest] = await deliver(again);
    expect(rest).toHaveLength(0);
    languageNumber = /^(\d+)\. .*(Language|زبان|Zaban)/m.exec(menu!.text)?.[1] ?? "";
    expect(languageNumber).toMatch(/^\d+$/);
  });

  it("the number of the language entry, sent from the same person's LID, gets the language prompt", async () => {
    const reply = upsert("replay");
    reply.messages[0]!.key.id = "3EB0A1B2C3D4E5F6E2E2";
    reply.messages[0]!.message = { conversation: languageNumber };
    const replies = await deliver(reply);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.jid).toBe(LID);
    const t = app.deps.i18n.t(await userLang());
    expect(replies[0]!.text).toContain(t("common:language.prompt"));
    expect(replies[0]!.text).toMatch(/^3\. Roman Urdu$/m);
  });

  it("the phone JID and the LID are one user", async () => {
    const rows = await database.prisma.channelIdentity.findMany({ where: { channel: "whatsapp", externalId: { in: [PN, LID] } } });
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.userId)).size).toBe(1);
    expect(await database.prisma.user.count()).toBe(1);
  });

  it("a message replayed after a reconnect is handled once", async () => {
    sockets.latest.close(428);
    await until(() => sockets.sockets.length === 2 && Boolean(adapter.session.openSocket), 5000);
    expect(await deliver(upsert("replay"), false)).toHaveLength(0);
    expect(await deliver(upsert("text"), false)).toHaveLength(0);
  });

  it("a sticker gets a polite note in the user's language; reactions and own messages get nothing", async () => {
    const replies = await deliver(upsert("sticker"));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toBe(app.deps.i18n.t(await userLang())("common:unsupported"));
    expect(await deliver(upsert("reaction"), false)).toHaveLength(0);
    expect(await deliver(upsert("from-me"), false)).toHaveLength(0);
    expect(await deliver(upsert("status-broadcast"), false)).toHaveLength(0);
  });

  it("a location pin reaches the features; an impossible one is answered politely", async () => {
    expect(await deliver(upsert("location"))).toHaveLength(1);
    const [bad] = await deliver(upsert("location-impossible"));
    expect(bad?.text.length).toBeGreaterThan(10);
  });
});

describe("WhatsApp end to end: what people really send (issue 14)", () => {
  it("a voice note is offered to a person (the handover) in the user's language", async () => {
    const replies = await deliver(upsert("voice"));
    expect(replies).toHaveLength(1);
    // No partner assigned: the programme team would hear it; the choices are numbered.
    expect(replies[0]!.text).toContain(app.deps.i18n.t(await userLang())("handover:voice.askTeam"));
    expect(replies[0]!.text).toMatch(/\b1\b[\s\S]*\b2\b/);
  });

  it("a photo with a caption is answered as the caption's text, not with the 'text only' note", async () => {
    const replies = await deliver(upsert("image"));
    expect(replies.length).toBeGreaterThanOrEqual(1);
    const t = app.deps.i18n.t(await userLang());
    expect(replies.map((r) => r.text)).not.toContain(t("common:unsupported"));
    // Without a caption the note says that a caption would be read.
    const [note] = await deliver(upsert("image-no-caption"));
    expect(note!.text).toBe(t("common:unsupported"));
    expect(app.deps.i18n.t("en")("common:unsupported")).toMatch(/caption/);
  });

  it("edits, businesses' buttons, payment requests, stubs, stories, channels and bots get nothing", async () => {
    for (const name of ["edited-business", "edited-protocol", "buttons", "template", "interactive", "request-payment", "send-payment", "stub-with-message", "story", "newsletter", "broadcast-list", "meta-ai", "baileys-bot"]) {
      expect(await deliver(upsert(name), false), name).toHaveLength(0);
    }
  });

  it("a received voice note can be sent on: the adapter forwards the stored message, after the text", async () => {
    const socket = sockets.latest;
    const media = (await import("../../src/channels/whatsapp/inbound.ts")).mediaRefOf(upsert("voice").messages[0]!.key, upsert("voice").messages[0]!.message!, "voice", {});
    const before = socket.sent.length;
    const sent = await adapter.send("923002220002@s.whatsapp.net", { text: "Voice note from Ali Traders", media });
    const out = socket.sent.slice(before);
    expect(out.map((s) => Object.keys(s.content)[0])).toEqual(["text", "forward"]);
    expect(sent.messageId).toBe(out[0]!.id);
    const forward = (out[1]!.content as { forward: { message: { audioMessage?: { ptt?: boolean } } } }).forward;
    expect(forward.message.audioMessage?.ptt).toBe(true);
    expect(adapter.capabilities.media).toBe(true);
  });
});
