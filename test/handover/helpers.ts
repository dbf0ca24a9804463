/**
 * A handover test rig on a real database, the whole app, and one channel: the memory
 * channel (as "console" or as "whatsapp", with `capabilities.media`) or Telegram through the
 * real grammY adapter and the fake Bot API over HTTP. Tests are written once against the rig
 * and run per channel; the WhatsApp-channel run is a new `kind` here.
 */
import { readFileSync } from "node:fs";
import pino from "pino";
import { createApp, type App } from "../../src/app.ts";
import { createMemoryAdapter, type MemoryAdapter } from "../../src/channels/memory/index.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import { toInbound } from "../../src/channels/telegram/inbound.ts";
import { loadConfig } from "../../src/config.ts";
import type { Adapter, ChannelId, InboundContent, InboundMessage, MediaRef } from "../../src/core/types.ts";
import type { HandoverFeature } from "../../src/features/handover/index.ts";
import { approveMemberByIdentity } from "../../src/features/partners/membership.ts";
import { importPartners, parsePartnerCsv } from "../../src/features/partners/repository.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { createFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";

/** Which channel the rig runs on. */
export type RigKind = "console" | "whatsapp-memory" | "telegram";

/** One person in a test: their id on the rig's channel and their name. */
export interface Person {
  id: string;
  name: string;
}

/** What one person was sent. */
export interface Received {
  text: string;
  messageId: string;
  media?: MediaRef;
}

/** A running rig. */
export interface HandoverRig {
  kind: RigKind;
  channel: ChannelId;
  app: App;
  database: TestDatabase;
  /** Whether the channel passes `replyToMessageId` to the core (Telegram: once the adapter maps reply_to_message). */
  repliesCarryIds: boolean;
  /** Sends a message from `who` (optionally in reply to a message the bot sent them) and waits until it is handled. */
  say(who: Person, content: string | InboundContent, options?: { replyTo?: string }): Promise<void>;
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
  if (kind === "whatsapp-memory")
    return {
      seller: { id: "923001110001@s.whatsapp.net", name: "Bilal" },
      partner: { id: "923001110002@s.whatsapp.net", name: "Asma" },
      otherPartner: { id: "923001110003@s.whatsapp.net", name: "Omar" },
      admin: { id: "923001110004@s.whatsapp.net", name: "Admin" },
    };
  return { seller: { id: "seller1", name: "Bilal" }, partner: { id: "partner1", name: "Asma" }, otherPartner: { id: "partner2", name: "Omar" }, admin: { id: "admin1", name: "Admin" } };
}

/**
 * Whether the Telegram adapter maps `reply_to_message` to `replyToMessageId` (issue 14's
 * adapter work): the reply-to tests run on Telegram as soon as it does.
 */
export function telegramCarriesReplyIds(): boolean {
  const chat = { id: 5, type: "private", first_name: "S" };
  const bot = { id: 9, is_bot: true, first_name: "Bot", username: "seller_test_bot" };
  const update = { update_id: 1, message: { message_id: 2, date: 0, chat, from: { id: 5, is_bot: false, first_name: "S" }, text: "ok", reply_to_message: { message_id: 1, date: 0, chat, from: bot, text: "notice" } } };
  const decision = toInbound(update as never, { id: bot.id, username: bot.username });
  return decision.action === "deliver" && decision.message.replyToMessageId === "1";
}

/** Tuesday 1 Dec 2026, 10:00 in Pakistan: inside working hours. */
export const START = new Date("2026-12-01T05:00:00Z");

let counter = 0;

/** Starts a rig. `env` adds configuration. */
export async function createHandoverRig(kind: RigKind, options: { env?: Record<string, string>; start?: Date; media?: boolean } = {}): Promise<HandoverRig> {
  const channel: ChannelId = kind === "telegram" ? "telegram" : kind === "whatsapp-memory" ? "whatsapp" : "console";
  const cast = castFor(kind);
  const database = await createTestDatabase();
  let clock = (options.start ?? START).getTime();
  const now = () => new Date(clock);
  const fake: FakeBotApi | undefined = kind === "telegram" ? await createFakeBotApi() : undefined;
  const env = {
    DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test",
    LOG_LEVEL: "silent",
    JOBS_ENABLED: "false",
    SELLER_BOT_ADMINS: `${channel}:${cast.admin.id}`,
    ...(fake ? { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const memory: MemoryAdapter | undefined = fake ? undefined : createMemoryAdapter(channel, { media: options.media ?? kind === "whatsapp-memory", buttons: false });
  let app!: App;
  let http: HttpServer | undefined;
  let telegram: Adapter | undefined;

  async function boot(): Promise<void> {
    app = await createApp(config, { database, log: pino({ level: "silent" }), now });
    if (memory) {
      app.deps.messenger.register(memory);
      await memory.start(app.core.handle);
      return;
    }
    http = createHttpServer(async () => ({ ok: true }));
    telegram = await createTelegramChannel(app.deps, http);
    app.deps.messenger.register(telegram);
    await telegram.start(app.core.handle);
  }
  async function shutdown(): Promise<void> {
    if (telegram) await telegram.stop();
    await app.core.idle();
    await app.core.stop();
    await http?.close().catch(() => undefined);
    await app.close();
  }
  await boot();

  const rig: HandoverRig = {
    kind,
    channel,
    get app() {
      return app;
    },
    database,
    repliesCarryIds: kind !== "telegram" || telegramCarriesReplyIds(),
    async say(who, content, opts = {}) {
      if (fake) {
        const from = { id: Number(who.id), first_name: who.name, language_code: "en" };
        const extra = opts.replyTo ? { reply_to_message: { message_id: Number(opts.replyTo), date: Math.floor(clock / 1000), chat: { id: Number(who.id), type: "private", first_name: who.name }, from: fake.botUser, text: "…" } } : {};
        if (typeof content !== "string") throw new Error("the Telegram rig sends text only (the adapter does not emit voice yet)");
        fake.pushText(content, { from, extra });
        const start = Date.now();
        while (fake.pending() > 0) {
          if (Date.now() - start > 10_000) throw new Error("telegram update not taken");
          await new Promise((r) => setTimeout(r, 5));
        }
        await app.core.idle();
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
    sent(who) {
      if (fake) return fake.callsTo("sendMessage", who.id).map((c) => ({ text: c.text ?? "", messageId: String((c.result as { message_id: number }).message_id) }));
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
