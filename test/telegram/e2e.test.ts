/**
 * End to end: the whole app (real database, real i18n, every feature) + the Telegram
 * channel built from configuration + the fake Bot API over HTTP.
 * "/start" → a menu with inline buttons; pressing buttons → the language changes.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import { loadConfig } from "../../src/config.ts";
import type { Adapter } from "../../src/core/types.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { createFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { until } from "./harness.ts";

let fake: FakeBotApi;
let database: TestDatabase;
let app: App;
let http: HttpServer;
let adapter: Adapter;

beforeAll(async () => {
  fake = await createFakeBotApi();
  database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test",
    LOG_LEVEL: "silent",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
    JOBS_ENABLED: "false",
  });
  app = await createApp(config, { database, log: pino({ level: "silent" }) });
  http = createHttpServer(async () => ({ ok: true }));
  adapter = await createTelegramChannel(app.deps, http);
  app.deps.messenger.register(adapter);
  await adapter.start(app.core.handle);
});

afterAll(async () => {
  await adapter?.stop();
  await app?.core.idle();
  await http?.close().catch(() => undefined);
  await app?.close();
  await database?.cleanup();
  await fake?.close();
});

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const buttons = (call: { params: Record<string, unknown> }) => ((call.params.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat();

describe("telegram end to end", () => {
  const user = { id: 424242, first_name: "Bilal", language_code: "en" };

  it("/start answers with the menu as an inline keyboard, then says announcements will come and how to stop", async () => {
    fake.pushText("/start", { from: user });
    await until(() => fake.callsTo("sendMessage", user.id).length === 2, 10_000);
    const [menu, subscribed] = fake.callsTo("sendMessage", user.id);
    expect(subscribed!.text).toBe(app.deps.i18n.t("en")("broadcasts:consent.subscribed"));
    expect(menu!.text).toMatch(/Assalam-o-Alaikum Bilal/);
    expect(menu!.params.parse_mode).toBe("HTML");
    expect(buttons(menu!).map((b) => b.callback_data)).toContain("lang:menu");
  });

  it("pressing the buttons changes the language (stored, and the reply is in Urdu)", async () => {
    fake.pushCallback("lang:menu", { from: user, messageId: 1 });
    await until(() => fake.callsTo("sendMessage", user.id).length === 3, 10_000);
    const prompt = fake.callsTo("sendMessage", user.id)[2]!;
    const urdu = buttons(prompt).find((b) => b.callback_data === "lang:set:ur");
    expect(urdu?.text).toBe("اردو");

    fake.pushCallback("lang:set:ur", { from: user, messageId: 2 });
    await until(() => fake.callsTo("sendMessage", user.id).length === 4, 10_000);
    expect(fake.textsTo(user.id)[3]).toMatch(/[\u0600-\u06FF]/);
    expect(fake.callsTo("answerCallbackQuery")).toHaveLength(2);
    const identity = await database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: String(user.id) } }, include: { user: true } });
    expect(identity.user).toMatchObject({ language: "ur", languageExplicit: true });
  });

  it("a stale but well-formed button gets the core's polite answer, a forged one the adapter's", async () => {
    fake.pushCallback("lang:set:fr", { from: user });
    await until(() => fake.callsTo("sendMessage", user.id).length === 5, 10_000);
    expect(fake.textsTo(user.id)[4]).toBe(app.deps.i18n.t("ur")("common:staleChoice"));
    fake.pushCallback("not valid at all", { from: user });
    await until(() => fake.callsTo("answerCallbackQuery").length === 4, 10_000);
    expect(fake.callsTo("answerCallbackQuery")[3]!.params.text).toMatch(/no longer works/);
    expect(fake.callsTo("sendMessage", user.id)).toHaveLength(5);
  });

  it("a button for a deleted event gets an answer, never a crash", async () => {
    fake.pushCallback("ev:rsvp:999999:going", { from: user });
    await until(() => fake.callsTo("sendMessage", user.id).length === 6, 10_000);
    expect(fake.textsTo(user.id)[5]).not.toBe(app.deps.i18n.t("ur")("common:error.apology"));
  });

  it("records a user blocking the bot", async () => {
    fake.push({ my_chat_member: { chat: { id: user.id, type: "private", first_name: "Bilal" }, from: { ...user, is_bot: false }, date: 1_700_000_000, old_chat_member: { status: "member", user: fake.botUser }, new_chat_member: { status: "kicked", user: fake.botUser, until_date: 0 } } });
    await until(() => fake.pending() === 0, 10_000);
    await app.core.idle();
    const read = () => database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: String(user.id) } } });
    const start = Date.now();
    while (!(await read()).blockedAt && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    expect((await read()).blockedAt).toBeInstanceOf(Date);
  });
});
