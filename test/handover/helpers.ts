/**
 * A handover test rig on a real database, the whole app, and one channel: the memory
 * channel (as "console", or as "whatsapp-memory" with `capabilities.media`), Telegram through
 * the real grammY adapter and the fake Bot API over HTTP, or WhatsApp through the real
 * Baileys adapter on the fake Baileys socket (test/whatsapp/support.ts), fed
 * `messages.upsert` payloads in Baileys' own shape. Tests are written once against the rig
 * and run per channel.
 */
import { readFileSync } from "node:fs";
import type { BaileysEventMap } from "@whiskeysockets/baileys";
import pino from "pino";
import { createApp, type App } from "../../src/app.ts";
import { createMemoryAdapter, type MemoryAdapter } from "../../src/channels/memory/index.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import { createWhatsAppChannel, type WhatsAppAdapter } from "../../src/channels/whatsapp/index.ts";
import { unescapeWhatsApp } from "../../src/channels/whatsapp/outbound.ts";
import { loadConfig } from "../../src/config.ts";
import type { Adapter, ChannelId, InboundContent, InboundMessage, MediaRef } from "../../src/core/types.ts";
import type { HandoverFeature } from "../../src/features/handover/index.ts";
import { approveMemberByIdentity } from "../../src/features/partners/membership.ts";
import { importPartners, parsePartnerCsv } from "../../src/features/partners/repository.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { createFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { BOT, fakeSockets, storeLinkedSession, until } from "../whatsapp/support.ts";

/** Which channel the rig runs on. */
export type RigKind = "console" | "whatsapp-memory" | "telegram" | "whatsapp";

/** One person in a test: their id on the rig's channel and their name. */
export interface Person {
  id: string;
  name: string;
}

/** What one person was sent. */
export interface Received {
  /** The text (Telegram: a file's caption; WhatsApp: as the reader sees it, escapes removed). */
  text: string;
  messageId: string;
  /** Memory channel: the MediaRef the core sent. */
  media?: MediaRef;
  /**
   * Real adapters: the file as the platform was asked to send it. Telegram: the method
   * (sendVoice, …) and the `file_id`; WhatsApp: "forward" and the forwarded message's key id
   * and content (what Baileys' sendMessage got as `{ forward }`).
   */
  file?: { method: string; id: string; message?: Record<string, unknown> };
  /** Telegram: the inline keyboard's buttons under the message (label and callback data). */
  buttons?: Array<{ text: string; data: string }>;
}

/** A running rig. */
export interface HandoverRig {
  kind: RigKind;
  channel: ChannelId;
  app: App;
  database: TestDatabase;
  /**
   * Sends a message from `who` (optionally in reply to a message the bot sent them) and
   * waits until it is handled. On the real adapters text goes in the platform's shape (a
   * reply quotes the message), a `choice` is a button press (Telegram) and a `voice` is a
   * native voice note (its MediaRef is ignored: see {@link HandoverRig.voice}).
   */
  say(who: Person, content: string | InboundContent, options?: { replyTo?: string }): Promise<void>;
  /**
   * A voice note from `who` in the channel's own shape: Telegram a `voice` message, WhatsApp
   * an `audioMessage` with `ptt`, memory a `{kind:"voice"}` content. Returns its platform id
   * (Telegram `file_id`, WhatsApp message key id, memory the MediaRef's ref).
   */
  voice(who: Person, options?: { replyTo?: string; seconds?: number }): Promise<string>;
  /** Everything `who` was sent so far, in order. */
  sent(who: Person): Received[];
  /** Handled messages, then the handover job's deliveries. */
  settle(): Promise<void>;
  handover(): HandoverFeature;
  /** Memory channel only: makes every send to `chatId` throw `error` (undefined: sends work again). */
  failSends(chatId: string, error: Error | undefined): void;
  /** Moves the test clock. */
  advance(ms: number): void;
  now(): Date;
  /** A new app (a restarted process) on the same database and channel. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The people of the standard set-up (ids fit the channel). */
export interface Cast {
  seller: Person;
  partner: Person;
  otherPartner: Person;
  admin: Person;
}

/** Ids in each channel's shape: Telegram user ids, WhatsApp JIDs, console names. */
export function castFor(kind: RigKind): Cast {
  if (kind === "telegram") return { seller: { id: "5001", name: "Bilal" }, partner: { id: "6001", name: "Asma" }, otherPartner: { id: "6002", name: "Omar" }, admin: { id: "7001", name: "Admin" } };
  if (kind === "whatsapp-memory" || kind === "whatsapp")
    return {
      seller: { id: "923001110001@s.whatsapp.net", name: "Bilal" },
      partner: { id: "923001110002@s.whatsapp.net", name: "Asma" },
      otherPartner: { id: "923001110003@s.whatsapp.net", name: "Omar" },
      admin: { id: "923001110004@s.whatsapp.net", name: "Admin" },
    };
  return { seller: { id: "seller1", name: "Bilal" }, partner: { id: "partner1", name: "Asma" }, otherPartner: { id: "partner2", name: "Omar" }, admin: { id: "admin1", name: "Admin" } };
}

/** Tuesday 1 Dec 2026, 10:00 in Pakistan: inside working hours. */
export const START = new Date("2026-12-01T05:00:00Z");

let counter = 0;

/** The channel a rig kind runs as. */
function channelOf(kind: RigKind): ChannelId {
  return kind === "telegram" ? "telegram" : kind === "whatsapp-memory" || kind === "whatsapp" ? "whatsapp" : "console";
}

/** Telegram's send methods whose calls a person sees, and the field that holds the file. */
const TELEGRAM_SENDS: Record<string, string | undefined> = { sendMessage: undefined, sendVoice: "voice", sendAudio: "audio", sendVideoNote: "video_note", sendPhoto: "photo", sendDocument: "document" };

/** Starts a rig. `env` adds configuration. */
export async function createHandoverRig(kind: RigKind, options: { env?: Record<string, string>; start?: Date; media?: boolean } = {}): Promise<HandoverRig> {
  const channel = channelOf(kind);
  const cast = castFor(kind);
  const database = await createTestDatabase();
  let clock = (options.start ?? START).getTime();
  const now = () => new Date(clock);
  const fake: FakeBotApi | undefined = kind === "telegram" ? await createFakeBotApi() : undefined;
  const sockets = kind === "whatsapp" ? fakeSockets() : undefined;
  if (sockets) await storeLinkedSession(database.prisma);
  const env = {
    DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test",
    LOG_LEVEL: "silent",
    JOBS_ENABLED: "false",
    SELLER_BOT_ADMINS: `${channel}:${cast.admin.id}`,
    ...(fake ? { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url } : {}),
    ...(sockets ? { WHATSAPP_ENABLED: "true" } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const memory: MemoryAdapter | undefined = fake || sockets ? undefined : createMemoryAdapter(channel, { media: options.media ?? kind === "whatsapp-memory", buttons: false });
  let app!: App;
  let http: HttpServer | undefined;
  let telegram: Adapter | undefined;
  let whatsapp: WhatsAppAdapter | undefined;
  // Messages the WhatsApp adapter handed to the core (what `say` waits for).
  let handedOver = 0;

  async function boot(): Promise<void> {
    app = await createApp(config, { database, log: pino({ level: "silent" }), now });
    if (memory) {
      app.deps.messenger.register(memory);
      await memory.start(app.core.handle);
      return;
    }
    if (sockets) {
      // The real adapter on the fake socket; a delivery receipt follows every accepted send,
      // so sends do not wait out the ack window.
      whatsapp = await createWhatsAppChannel(app.deps, { socketFactory: sockets.factory, openTimeoutMs: 2000, sleep: async () => undefined });
      app.deps.messenger.register(whatsapp);
      const handle = app.core.handle;
      await whatsapp.start(async (message) => {
        try {
          await handle(message);
        } finally {
          handedOver += 1;
        }
      });
      await until(() => Boolean(whatsapp?.session.openSocket), 5000);
      return;
    }
    http = createHttpServer(async () => ({ ok: true }));
    telegram = await createTelegramChannel(app.deps, http);
    app.deps.messenger.register(telegram);
    await telegram.start(app.core.handle);
  }
  async function shutdown(): Promise<void> {
    if (telegram) await telegram.stop();
    if (whatsapp) await whatsapp.stop();
    await app.core.idle();
    await app.core.stop();
    await http?.close().catch(() => undefined);
    await app.close();
  }
  await boot();

  /** Waits until the fake Bot API's queued updates were taken, then until the core is idle. */
  async function telegramTaken(): Promise<void> {
    const start = Date.now();
    while (fake!.pending() > 0) {
      if (Date.now() - start > 10_000) throw new Error("telegram update not taken");
      await new Promise((r) => setTimeout(r, 5));
    }
    await app.core.idle();
  }

  /** Emits one `messages.upsert` (type notify) and waits until the adapter handed it to the core and the core is idle. */
  async function upsertFrom(who: Person, message: Record<string, unknown>): Promise<string> {
    counter += 1;
    // A phone's message id: 3EB0 and 16 hex digits (not Baileys' own BAE5…, which marks a bot).
    const id = `3EB0${counter.toString(16).toUpperCase().padStart(8, "0")}${Math.random().toString(16).slice(2, 10).toUpperCase().padEnd(8, "0")}`;
    const before = handedOver;
    // Written as the JSON Baileys emits (fileLength as a string, as in the recorded fixtures).
    const upsert = {
      type: "notify",
      messages: [{ key: { remoteJid: who.id, fromMe: false, id, addressingMode: "pn" }, messageTimestamp: Math.floor(clock / 1000), pushName: who.name, broadcast: false, message }],
    } as unknown as BaileysEventMap["messages.upsert"];
    sockets!.latest.emit("messages.upsert", upsert);
    await until(() => handedOver > before, 10_000);
    await app.core.idle();
    return id;
  }

  /** What the bot sent on WhatsApp with this id (for the quote a reply carries). */
  function quotedOf(id: string): { stanzaId: string; participant: string; quotedMessage: Record<string, unknown> } {
    const sent = sockets!.sockets.flatMap((s) => s.sent).find((s) => s.id === id);
    const text = sent && "text" in sent.content ? unescapeWhatsApp(sent.content.text) : "";
    return { stanzaId: id, participant: BOT.id, quotedMessage: { extendedTextMessage: { text } } };
  }

  /** The last message the bot sent to a Telegram chat (the one a button is under). */
  function lastTelegramMessage(who: Person): number {
    const last = rig.sent(who).at(-1);
    return last ? Number(last.messageId) : 1;
  }

  const rig: HandoverRig = {
    kind,
    channel,
    get app() {
      return app;
    },
    database,
    async say(who, content, opts = {}) {
      if (typeof content !== "string" && content.kind === "voice" && (fake || sockets)) {
        await rig.voice(who, opts);
        return;
      }
      if (fake) {
        const from = { id: Number(who.id), first_name: who.name, language_code: "en" };
        if (typeof content !== "string" && content.kind === "choice") {
          fake.pushCallback(content.data, { from, messageId: lastTelegramMessage(who) });
          return telegramTaken();
        }
        const extra = opts.replyTo ? { reply_to_message: { message_id: Number(opts.replyTo), date: Math.floor(clock / 1000), chat: { id: Number(who.id), type: "private", first_name: who.name }, from: fake.botUser, text: "…" } } : {};
        if (typeof content !== "string") throw new Error(`the Telegram rig sends text, voice and button presses, not ${content.kind}`);
        fake.pushText(content, { from, extra });
        return telegramTaken();
      }
      if (sockets) {
        if (typeof content !== "string") throw new Error(`the WhatsApp rig sends text and voice notes, not ${content.kind}`);
        // A plain text is a `conversation`; a quote makes it an extendedTextMessage with the
        // quoted message's id (stanzaId) and author in contextInfo, as WhatsApp sends it.
        const message = opts.replyTo ? { extendedTextMessage: { text: content, contextInfo: quotedOf(opts.replyTo) } } : { conversation: content };
        await upsertFrom(who, message);
        return;
      }
      counter += 1;
      const message: InboundMessage = {
        channel,
        messageId: `h${counter}-${Math.random().toString(36).slice(2, 8)}`,
        chat: { id: who.id, kind: "private" },
        sender: { id: who.id, displayName: who.name },
        sentAt: now(),
        content: typeof content === "string" ? { kind: "text", text: content } : content,
        ...(opts.replyTo ? { replyToMessageId: opts.replyTo } : {}),
      };
      await memory!.receive(message);
    },
    async voice(who, opts = {}) {
      counter += 1;
      const seconds = opts.seconds ?? 7;
      if (fake) {
        // A Bot API Voice object: file_id, file_unique_id, duration, mime_type, file_size.
        const fileId = `AwACAgQAAxkBAAI${String(counter).padStart(4, "0")}Z2VoYW5kb3Zlcl92b2ljZV9ub3Rl`;
        const from = { id: Number(who.id), is_bot: false, first_name: who.name, language_code: "en" };
        const chat = { id: Number(who.id), type: "private", first_name: who.name };
        const reply = opts.replyTo ? { reply_to_message: { message_id: Number(opts.replyTo), date: Math.floor(clock / 1000), chat, from: fake.botUser, text: "…" } } : {};
        fake.push({ message: { message_id: 50_000 + counter, date: Math.floor(clock / 1000), from, chat, voice: { file_id: fileId, file_unique_id: `AgAD${counter}vb2ljZQ`, duration: seconds, mime_type: "audio/ogg", file_size: 8123 + counter }, ...reply } });
        await telegramTaken();
        return fileId;
      }
      if (sockets) {
        // Baileys' audioMessage for a push-to-talk note (as in test/fixtures/whatsapp/upserts.json "voice").
        const audioMessage = {
          url: "https://mmg.whatsapp.net/v/t62.7117-24/voice.enc",
          mimetype: "audio/ogg; codecs=opus",
          fileSha256: "n7Yl0w2Jt1m8d3Vd2yZkzA==",
          fileLength: "8123",
          seconds,
          ptt: true,
          mediaKey: "b3V0c2lkZS10ZXN0LWtleQ==",
          directPath: "/v/t62.7117-24/voice.enc",
          waveform: "AAECAwQFBgcICQ==",
          ...(opts.replyTo ? { contextInfo: quotedOf(opts.replyTo) } : {}),
        };
        return upsertFrom(who, { audioMessage });
      }
      const ref = JSON.stringify({ id: `VOICE${counter}`, remoteJid: who.id });
      await rig.say(who, { kind: "voice", media: { channel, type: "voice", ref, mimeType: "audio/ogg; codecs=opus", durationSeconds: seconds } }, opts);
      return ref;
    },
    sent(who) {
      if (fake) {
        return fake.calls.flatMap((c) => {
          if (!c.ok || c.chatId !== who.id || !(c.method in TELEGRAM_SENDS)) return [];
          const field = TELEGRAM_SENDS[c.method];
          const id = field ? c.params[field] : undefined;
          const rows = (c.params.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)?.inline_keyboard;
          const buttons = rows?.flat().map((b) => ({ text: b.text, data: b.callback_data ?? "" }));
          return [{ text: c.text ?? "", messageId: String((c.result as { message_id: number }).message_id), ...(typeof id === "string" ? { file: { method: c.method, id } } : {}), ...(buttons ? { buttons } : {}) }];
        });
      }
      if (sockets) {
        // One outbound message is a text and then, for a voice note, a forward of the stored
        // message: the forward belongs to the text before it (the core got the text's id).
        const out: Received[] = [];
        for (const s of sockets.sockets.flatMap((socket) => socket.sent)) {
          if (s.jid !== who.id) continue;
          if ("forward" in s.content) {
            const forward = s.content.forward;
            const file = { method: "forward", id: forward.key.id ?? "", message: (forward.message ?? {}) as Record<string, unknown> };
            const last = out.at(-1);
            if (last && !last.file) last.file = file;
            else out.push({ text: "", messageId: s.id, file });
          } else out.push({ text: "text" in s.content ? unescapeWhatsApp(s.content.text) : "", messageId: s.id });
        }
        return out;
      }
      // The memory adapter numbers its sends m1, m2, … in order.
      return memory!.sent.flatMap((s, i) => (s.chatId === who.id ? [{ text: s.message.text, messageId: `m${i + 1}`, ...(s.message.media ? { media: s.message.media } : {}) }] : []));
    },
    async settle() {
      await app.core.idle();
      await rig.handover().job.flush();
    },
    failSends(chatId, error) {
      if (!memory) throw new Error("failSends needs the memory channel");
      memory.failWith = error
        ? (to) => {
            if (to === chatId) throw error;
          }
        : undefined;
    },
    handover: () => app.features.find((f) => f.name === "handover") as HandoverFeature,
    advance(ms) {
      clock += ms;
    },
    now,
    async restart() {
      await shutdown();
      await boot();
    },
    async close() {
      await shutdown();
      await memory?.stop();
      await database.cleanup();
      await fake?.close();
    },
  };
  return rig;
}

/**
 * The standard set-up: partners from the fixture, `partner` an approved account of Alpha
 * Sialkot Agency, `otherPartner` of Bravo Daska Agency, the admin known, the seller in
 * Sialkot at the "documents" stage with Alpha as their partner (unless `assign` is false).
 */
export async function setUpCast(rig: HandoverRig, options: { assign?: boolean; sellerLang?: "en" | "ur" | "ur-Latn" } = {}): Promise<Cast & { alphaId: number; sellerId: number }> {
  const cast = castFor(rig.kind);
  const db = rig.database.prisma;
  const parsed = parsePartnerCsv(readFileSync(new URL("../partners/fixtures/partners.csv", import.meta.url), "utf8"));
  if (!parsed.ok) throw new Error("fixture invalid");
  await importPartners(rig.app.deps.db, rig.database.provider, parsed.rows);
  for (const p of [cast.partner, cast.otherPartner, cast.admin, cast.seller]) await rig.say(p, "hello");
  await approveMemberByIdentity(db, "Alpha Sialkot Agency", rig.channel, cast.partner.id);
  await approveMemberByIdentity(db, "Bravo Daska Agency", rig.channel, cast.otherPartner.id);
  // Staff read English whatever they type (their Roman Urdu answers must not switch their language).
  for (const p of [cast.partner, cast.otherPartner, cast.admin]) await db.user.update({ where: { id: await userIdOf(rig, p) }, data: { language: "en", languageExplicit: true } });
  const alpha = await db.partner.findUniqueOrThrow({ where: { name: "Alpha Sialkot Agency" } });
  const sellerId = await userIdOf(rig, cast.seller);
  await db.sellerProfile.upsert({ where: { userId: sellerId }, create: { userId: sellerId, city: "Sialkot" }, update: { city: "Sialkot" } });
  await db.sellerProgress.upsert({ where: { sellerId }, create: { sellerId, currentIndex: 1, reachedCount: 2 }, update: { currentIndex: 1, reachedCount: 2 } });
  if (options.sellerLang) await db.user.update({ where: { id: sellerId }, data: { language: options.sellerLang, languageExplicit: true } });
  if (options.assign !== false) await db.sellerAssignment.upsert({ where: { sellerId }, create: { sellerId, partnerId: alpha.id, assignedAt: rig.now() }, update: { partnerId: alpha.id } });
  await rig.settle();
  return { ...cast, alphaId: alpha.id, sellerId };
}

/** The bot user id of a person. */
export async function userIdOf(rig: HandoverRig, who: Person): Promise<number> {
  const identity = await rig.database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: rig.channel, externalId: who.id } } });
  return identity.userId;
}

/** What `who` was sent after `mark` (an earlier `sent(who).length`). */
export function since(rig: HandoverRig, who: Person, mark: number): Received[] {
  return rig.sent(who).slice(mark);
}
