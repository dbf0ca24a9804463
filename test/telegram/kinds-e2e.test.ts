/**
 * End to end with the whole app (real database, every feature) and the Telegram adapter on
 * the fake Bot API: what people really send (issue 14). Voice notes and captions, an
 * anonymous admin linking a group, forum topics, the supergroup upgrade (both notices, and
 * the outbox learning it from the 400), and the reply loop guard.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import { loadConfig } from "../../src/config.ts";
import type { Adapter, Lang } from "../../src/core/types.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import { content, makePartner, makeUser } from "../broadcasts/helpers.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { createFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { fixture } from "./fixtures.ts";
import { until } from "./harness.ts";

let fake: FakeBotApi;
let database: TestDatabase;
let app: App;
let http: HttpServer;
let adapter: Adapter;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  // The fixtures were written for bot 999 @seller_test_bot.
  fake = await createFakeBotApi({ token: "999:TEST-fake-token-kinds", bot: { username: "seller_test_bot" } });
  database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test",
    LOG_LEVEL: "warn",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
    JOBS_ENABLED: "false",
  });
  const log = pino({ level: "warn" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  app = await createApp(config, { database, log });
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

/** Pushes an update and waits until it was taken and handled. */
async function push(update: Record<string, unknown>): Promise<void> {
  fake.push(update);
  await until(() => fake.pending() === 0, 10_000);
  // The adapter hands the update on before the core has handled it.
  await new Promise((r) => setTimeout(r, 50));
  await app.core.idle();
}
async function langOf(externalId: string): Promise<Lang> {
  const identity = await database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId } }, include: { user: true } });
  return identity.user.language as Lang;
}
/** A fixture message with another sender and a fresh message id (each test its own person). */
function from(name: string, user: { id: number; first_name: string; language_code?: string }, messageId: number): Record<string, unknown> {
  const f = fixture(name) as { message: Record<string, unknown> };
  const chat = f.message.chat as { type: string };
  return { message: { ...f.message, message_id: messageId, from: { is_bot: false, ...user }, ...(chat.type === "private" ? { chat: { id: user.id, type: "private", first_name: user.first_name } } : {}) } };
}

describe("telegram end to end: what people send", () => {
  it("a voice note is offered to a person (the handover) in the user's language", async () => {
    const user = { id: 7001, first_name: "Ayesha", language_code: "ur" };
    await push(from("voice", user, 1));
    const texts = fake.textsTo(user.id);
    // No partner assigned: the programme team would hear it.
    expect(texts[0]).toContain(app.deps.i18n.t(await langOf("7001"))("handover:voice.askTeam"));
    expect(app.deps.i18n.t("ur")("handover:voice.askTeam")).toMatch(/[\u0600-\u06FF]/);
  });

  it("a photo with a caption is answered from its caption; without one, the note says a caption is read", async () => {
    const user = { id: 7002, first_name: "Bilal", language_code: "en" };
    await push(from("photo-caption", user, 1));
    const t = app.deps.i18n.t(await langOf("7002"));
    const answered = fake.textsTo(user.id);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered).not.toContain(t("common:unsupported"));
    await push(from("photo-no-caption", user, 2));
    expect(fake.textsTo(user.id).at(-1)).toBe(t("common:unsupported"));
    expect(t("common:unsupported")).toMatch(/caption/);
  });

  it("an edited message gets nothing", async () => {
    const user = { id: 7003, first_name: "Sana" };
    await push({ edited_message: { ...(fixture("edited") as { edited_message: object }).edited_message, from: { is_bot: false, ...user }, chat: { id: user.id, type: "private", first_name: "Sana" } } });
    fake.meet(user.id);
    expect(fake.textsTo(user.id)).toEqual([]);
  });

  it("an anonymous admin's /link CODE links the group and is answered in it; another bot gets nothing", async () => {
    const partner = await makePartner(app.deps.db, "Anon Admin Partner");
    await makeUser(app.deps.db, { channel: "telegram", externalId: "7004", memberOf: partner.id });
    await push({ message: { message_id: 1, date: 1795773600, from: { id: 7004, is_bot: false, first_name: "Kamran" }, chat: { id: 7004, type: "private", first_name: "Kamran" }, text: "/linkcode" } });
    const code = /\b([A-Z2-9]{6})\b/.exec(fake.textsTo(7004).at(-1) ?? "")?.[1];
    expect(code).toBeDefined();
    const link = fixture("anonymous-admin-link") as { message: { text: string } };
    link.message.text = `/link@seller_test_bot ${code}`;
    await push(link);
    expect(fake.textsTo("-1001234567890").at(-1)).toContain("Anon Admin Partner");
    const group = await app.deps.db.linkedGroup.findUniqueOrThrow({ where: { channel_chatId: { channel: "telegram", chatId: "-1001234567890" } } });
    expect(group.partnerId).toBe(partner.id);
    const before = fake.textsTo("-1001234567890").length;
    await push(fixture("other-bot"));
    await push(fixture("automatic-forward"));
    expect(fake.textsTo("-1001234567890")).toHaveLength(before);
  });

  it("a question in a forum topic is answered in the same topic", async () => {
    await push(fixture("forum-topic"));
    const calls = fake.callsTo("sendMessage", "-1003333333333");
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) expect(call.params.message_thread_id).toBe(305);
  });
});

describe("telegram end to end: a group upgraded to a supergroup", () => {
  it("the two notices move the linked group to the new id (once, whichever comes first)", async () => {
    const partner = await makePartner(app.deps.db, "Upgrade Partner");
    const old = await app.deps.db.linkedGroup.create({ data: { channel: "telegram", chatId: "-4518810793", title: "Gujranwala Sellers", partnerId: partner.id, language: "ur" } });
    await push(fixture("migrate-to"));
    await push(fixture("migrate-from"));
    const rows = await app.deps.db.linkedGroup.findMany({ where: { chatId: { in: ["-4518810793", "-1002471352452"] } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: old.id, chatId: "-1002471352452", partnerId: partner.id, language: "ur", removedAt: null });
    // Service messages get no reply.
    expect(fake.textsTo("-1002471352452")).toEqual([]);
  });

  it("the outbox learns it from the 400 (parameters.migrate_to_chat_id): the group moves and the row is sent there, not counted as a failure", async () => {
    const partner = await makePartner(app.deps.db, "Outbox Upgrade Partner");
    const group = await app.deps.db.linkedGroup.create({ data: { channel: "telegram", chatId: "-4000000001", title: "Multan Sellers", partnerId: partner.id } });
    fake.migrate("-4000000001", "-1004000000001");
    const row = await app.deps.db.outboxMessage.create({
      data: { recipient: `g:${group.id}`, kind: "notice", groupId: group.id, channel: "telegram", chatId: "-4000000001", content: JSON.stringify(content("Summit on 20 Dec")), respectOptOut: false },
    });
    const second = await app.deps.db.outboxMessage.create({
      data: { recipient: `g:${group.id}:2`, kind: "notice", groupId: group.id, channel: "telegram", chatId: "-4000000001", content: JSON.stringify(content("Second notice")), respectOptOut: false, notBefore: new Date(Date.now() + 3_600_000) },
    });
    await createOutboxWorker(app.deps, { pollMs: 20 }).drain();
    const refused = fake.calls.filter((c) => c.chatId === "-4000000001" && c.method === "sendMessage");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.errorCode).toBe(400);
    expect(fake.textsTo("-1004000000001")[0]).toContain("EN Summit on 20 Dec");
    expect(await app.deps.db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "sent", chatId: "-1004000000001", attempts: 0 });
    expect((await app.deps.db.linkedGroup.findUniqueOrThrow({ where: { id: group.id } })).chatId).toBe("-1004000000001");
    // A later row for the same group moved too, before it was ever tried.
    expect(await app.deps.db.outboxMessage.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: "pending", chatId: "-1004000000001" });
  });
});

describe("group migration when both ids are already stored", () => {
  it("a link on the old row moves to the new row; the old row's unsent rows are cancelled with the reason", async () => {
    const { migrateGroup } = await import("../../src/features/broadcasts/groups.ts");
    const db = app.deps.db;
    const partner = await makePartner(db, "Merge Partner");
    const old = await db.linkedGroup.create({ data: { channel: "telegram", chatId: "-4100000001", title: "Old", partnerId: partner.id, language: "ur-Latn" } });
    const fresh = await db.linkedGroup.create({ data: { channel: "telegram", chatId: "-1004100000001", title: "New" } });
    const row = await db.outboxMessage.create({ data: { recipient: `g:${old.id}`, kind: "notice", groupId: old.id, channel: "telegram", chatId: "-4100000001", content: JSON.stringify(content()), respectOptOut: false, notBefore: new Date(Date.now() + 3_600_000) } });
    expect(await migrateGroup(db, "telegram", "-4100000001", "-1004100000001", new Date())).toBe(fresh.id);
    expect(await db.linkedGroup.findUniqueOrThrow({ where: { id: fresh.id } })).toMatchObject({ partnerId: partner.id, language: "ur-Latn", removedAt: null });
    expect(await db.linkedGroup.findUniqueOrThrow({ where: { id: old.id } })).toMatchObject({ partnerId: null });
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "cancelled", lastError: "group moved to chat -1004100000001" });
    // Again (the second notice): nothing changes, nothing fails.
    expect(await migrateGroup(db, "telegram", "-4100000001", "-1004100000001", new Date())).toBe(fresh.id);
    expect(await migrateGroup(db, "telegram", "-4199999999", "-1004199999999", new Date())).toBeUndefined();
  });
});

describe("telegram end to end: the reply loop guard", () => {
  it("more than 10 answers to one chat in a minute pause it (logged once, with the chat); the outbox still reaches it", async () => {
    const bot = { id: 7100, first_name: "Auto Responder", language_code: "en" };
    const chat = { id: bot.id, type: "private", first_name: bot.first_name };
    for (let i = 1; i <= 10; i++) {
      await push({ message: { message_id: i, date: Math.floor(Date.now() / 1000), from: { is_bot: false, ...bot }, chat, text: `thanks for your message ${i}` } });
    }
    const answered = fake.textsTo(bot.id).length;
    expect(answered).toBeGreaterThanOrEqual(10);
    for (let i = 11; i <= 13; i++) {
      await push({ message: { message_id: i, date: Math.floor(Date.now() / 1000), from: { is_bot: false, ...bot }, chat, text: `thanks for your message ${i}` } });
    }
    expect(fake.textsTo(bot.id)).toHaveLength(answered);
    const warnings = lines.filter((l) => String(l.msg).startsWith("reply loop guard"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ chat: "telegram:7100", maxReplies: 10 });
    // Announcements are not replies: a notice from the outbox still goes out.
    const user = await database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: "7100" } } });
    await app.deps.db.outboxMessage.create({ data: { recipient: `u:${user.userId}`, kind: "notice", userId: user.userId, channel: "telegram", chatId: "7100", content: JSON.stringify(content("Notice")), respectOptOut: false } });
    await createOutboxWorker(app.deps, { pollMs: 20 }).drain();
    expect(fake.textsTo(bot.id).at(-1)).toContain("EN Notice");
    // Another chat is answered as before.
    await push({ message: { message_id: 1, date: Math.floor(Date.now() / 1000), from: { id: 7101, is_bot: false, first_name: "Person" }, chat: { id: 7101, type: "private", first_name: "Person" }, text: "hello" } });
    expect(fake.textsTo(7101).length).toBeGreaterThanOrEqual(1);
  });

  it("button presses are not counted: only people press buttons", async () => {
    const person = { id: 7102, first_name: "Quick Tapper", language_code: "en" };
    for (let i = 0; i < 12; i++) {
      fake.pushCallback("lang:menu", { from: person, messageId: i + 1 });
      await until(() => fake.pending() === 0, 10_000);
      await until(() => fake.textsTo(person.id).length === i + 1, 10_000);
    }
    expect(fake.textsTo(person.id)).toHaveLength(12);
    expect(lines.filter((l) => l.chat === "telegram:7102")).toEqual([]);
  });
});
