import { afterEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { createWhatsAppChannel, toChannelError, type WhatsAppChannelOptions } from "../../src/channels/whatsapp/index.ts";
import { createSentMessageStore, escapeWhatsApp, unescapeWhatsApp } from "../../src/channels/whatsapp/outbound.ts";
import { loadConfig } from "../../src/config.ts";
import { ChannelError } from "../../src/core/errors.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { PERSONAL_KEYS } from "../../src/logger.ts";
import { adapterContract } from "../support/adapter-contract.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { boom, fakeSockets, FIXTURE_NOW, memoryLog, storeLinkedSession, until, upsert } from "./support.ts";
import pino from "pino";

interface Setup {
  app: App;
  database: TestDatabase;
  sockets: ReturnType<typeof fakeSockets>;
  lines: Array<Record<string, unknown>>;
  adapter: Awaited<ReturnType<typeof createWhatsAppChannel>>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** An app on a fresh database with a linked session and a WhatsApp adapter on fake sockets. */
async function setup(o: { env?: Record<string, string>; options?: WhatsAppChannelOptions; link?: boolean; database?: TestDatabase; autoOpen?: boolean } = {}): Promise<Setup> {
  const database = o.database ?? (await createTestDatabase());
  if (o.link !== false && !o.database) await storeLinkedSession(database.prisma);
  const { lines } = memoryLog();
  // The app's real redaction, so the test sees what an operator's log would hold.
  const log = pino({ level: "info", redact: { paths: PERSONAL_KEYS, censor: "[redacted]" } }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", WHATSAPP_ENABLED: "true", ...o.env });
  const app = await createApp(config, { database, log, now: () => FIXTURE_NOW });
  const sockets = fakeSockets({ autoOpen: o.autoOpen });
  const adapter = await createWhatsAppChannel(app.deps, { socketFactory: sockets.factory, sleep: async () => undefined, openTimeoutMs: 200, ...o.options });
  app.deps.messenger.register(adapter);
  await adapter.start(app.core.handle);
  const s: Setup = {
    app,
    database,
    sockets,
    lines,
    adapter,
    async close() {
      await adapter.stop();
      await app.close();
      if (!o.database) await database.cleanup();
    },
  };
  cleanups.push(() => s.close());
  return s;
}

const messages = (lines: Array<Record<string, unknown>>) => lines.map((l) => String(l.msg ?? ""));

adapterContract("whatsapp (fake Baileys socket)", async () => {
  const database = await createTestDatabase();
  await storeLinkedSession(database.prisma);
  const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", WHATSAPP_ENABLED: "true", LOG_LEVEL: "silent" });
  const app = await createApp(config, { database, log: pino({ level: "silent" }), now: () => FIXTURE_NOW });
  const sockets = fakeSockets();
  const adapter = await createWhatsAppChannel(app.deps, { socketFactory: sockets.factory, openTimeoutMs: 1000 });
  let n = 0;
  return {
    adapter,
    chatIdFor: (userId) => `${userId}@s.whatsapp.net`,
    async injectText(text, from) {
      n += 1;
      sockets.latest.emit("messages.upsert", {
        type: "notify",
        messages: [{ key: { remoteJid: from.chatId ?? `${from.userId}@s.whatsapp.net`, fromMe: false, id: `3EB0CONTRACT${n}` }, message: { conversation: text }, messageTimestamp: FIXTURE_NOW.getTime() / 1000 }],
      });
    },
    sentTexts: async (chatId) => sockets.latest.texts(chatId),
    // As Baileys reports it: the send resolves, an error ack (403) follows as messages.update.
    failNextSendAsBlocked: (chatId) => sockets.latest.refuseNext(chatId, "403"),
    async close() {
      await app.close();
      await database.cleanup();
    },
  };
});

describe("outbound", () => {
  it("neutralises WhatsApp formatting in text but leaves links intact", () => {
    const text = "Price *50* _only_ ~today~ ```code``` `x`\n> not a quote\nhttps://example.com/seller_guide?a=*b*";
    const escaped = escapeWhatsApp(text);
    const beforeLink = escaped.slice(0, escaped.indexOf("https://"));
    expect(beforeLink).not.toMatch(/(^|[^\u200B])[*_~`]/m);
    expect(beforeLink).not.toMatch(/[*_~`]($|[^\u200B])/m);
    expect(escaped).toContain("https://example.com/seller_guide?a=*b*");
    expect(escaped).toMatch(/^\u200B> not a quote$/m);
    expect(unescapeWhatsApp(escaped)).toBe(text);
  });

  it("sends text, then a location pin with name and address, then a file as a document", async () => {
    const s = await setup();
    const chat = "923001110001@s.whatsapp.net";
    const sent = await s.adapter.send(chat, {
      text: "Nearest partner: *Sialkot Export House*",
      location: { latitude: 32.49, longitude: 74.52, name: "Sialkot Export House", address: "Paris Road" },
      file: { filename: "summit.ics", mimeType: "text/calendar", content: "BEGIN:VCALENDAR" },
    });
    const native = s.sockets.latest.sent.map((x) => x.content);
    expect(native).toHaveLength(3);
    expect(native[0]).toEqual({ text: "Nearest partner: \u200B*\u200BSialkot Export House\u200B*\u200B" });
    expect(native[1]).toEqual({ location: { degreesLatitude: 32.49, degreesLongitude: 74.52, name: "Sialkot Export House", address: "Paris Road" } });
    expect(native[2]).toMatchObject({ mimetype: "text/calendar", fileName: "summit.ics" });
    expect(Buffer.from((native[2] as { document: Buffer }).document).toString()).toBe("BEGIN:VCALENDAR");
    expect(sent.messageId).toBe(s.sockets.latest.sent[0]!.id);
  });

  it("keeps sent messages for Baileys' getMessage (resend on retry), bounded", async () => {
    const s = await setup();
    const { messageId } = await s.adapter.send("923001110001@s.whatsapp.net", { text: "hello" });
    const getMessage = s.sockets.latest.options.getMessage;
    expect(await getMessage({ id: messageId, remoteJid: "923001110001@s.whatsapp.net", fromMe: true })).toEqual({ extendedTextMessage: { text: "hello" } });
    expect(await getMessage({ id: "unknown" })).toBeUndefined();
    const store = createSentMessageStore(3);
    for (let i = 0; i < 5; i++) store.remember({ id: `m${i}` }, { conversation: String(i) });
    expect(store.size).toBe(3);
    expect(await store.getMessage({ id: "m1" })).toBeUndefined();
    expect(await store.getMessage({ id: "m4" })).toEqual({ conversation: "4" });
  });

  it("refuses to send while not connected (network) and on a malformed chat id (bad-request)", async () => {
    const s = await setup({ autoOpen: false });
    await expect(s.adapter.send("923001110001@s.whatsapp.net", { text: "x" })).rejects.toMatchObject({ kind: "network" });
    s.sockets.latest.open();
    await until(() => Boolean(s.adapter.session.openSocket));
    await expect(s.adapter.send("not a jid", { text: "x" })).rejects.toMatchObject({ kind: "bad-request" });
    await s.adapter.send("923001110001", { text: "bare digits work" });
    expect(s.sockets.latest.sent.at(-1)?.jid).toBe("923001110001@s.whatsapp.net");
  });

  it("translates a rate limit (an error ack 429 after the send) into ChannelError(rate-limited) with a wait", async () => {
    const s = await setup();
    s.sockets.latest.refuseNext("923001110001@s.whatsapp.net", "429");
    const error = await s.adapter.send("923001110001@s.whatsapp.net", { text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: "rate-limited", retryable: true });
    expect((error as ChannelError).retryAfterMs).toBeGreaterThan(0);
  });
});

describe("error translation", () => {
  const cases: Array<[string, Error, ChannelError["kind"]]> = [
    ["server rate-overlimit node", boom("rate-overlimit", { data: 429 }), "rate-limited"],
    ["HTTP 429", boom("Too Many Requests", { statusCode: 429 }), "rate-limited"],
    ["recipient refused (403)", boom("not-authorized", { data: 403 }), "blocked"],
    ["forbidden status", boom("Forbidden", { statusCode: 403 }), "blocked"],
    ["not on WhatsApp", boom("item-not-found", { data: 404 }), "not-found"],
    ["connection closed", boom("Connection Closed", { statusCode: 428 }), "network"],
    ["timed out", boom("Timed Out", { statusCode: 408 }), "network"],
    ["our number logged out (401)", boom("Not authenticated", { statusCode: 401 }), "network"],
    ["bad request node", boom("bad-request", { data: 400 }), "bad-request"],
    ["socket reset", new Error("read ECONNRESET"), "network"],
  ];
  for (const [name, error, kind] of cases) {
    it(`${name} → ${kind}`, () => {
      const translated = toChannelError(error);
      expect(translated.kind).toBe(kind);
      expect(translated.cause).toBe(error);
    });
  }
});

describe("inbound through the adapter", () => {
  it("hands the core only what a person sent, in order, once per upsert", async () => {
    const s = await setup();
    const got: InboundMessage[] = [];
    await s.adapter.stop();
    const adapter = await createWhatsAppChannel(s.app.deps, { socketFactory: s.sockets.factory, openTimeoutMs: 500 });
    cleanups.push(() => adapter.stop());
    await adapter.start(async (m) => void got.push(m));
    for (const name of ["text", "from-me", "status-broadcast", "reaction", "protocol", "group-mention", "sticker", "extended-text", "undecryptable", "location"]) {
      s.sockets.latest.emit("messages.upsert", upsert(name));
    }
    s.sockets.latest.emit("messages.upsert", { ...upsert("text"), type: "something-else" as "notify" });
    await until(() => got.length >= 4);
    await new Promise((r) => setTimeout(r, 30));
    expect(got.map((m) => m.content.kind)).toEqual(["text", "unsupported", "text", "location"]);
  });

  it("keeps each person's messages in order under a burst (40 upserts from two people, one at a time and batched)", async () => {
    const s = await setup();
    await s.adapter.stop();
    const got: InboundMessage[] = [];
    const adapter = await createWhatsAppChannel(s.app.deps, { socketFactory: s.sockets.factory, openTimeoutMs: 500 });
    cleanups.push(() => adapter.stop());
    await adapter.start(async (m) => void got.push(m));
    const people = ["923001230001@s.whatsapp.net", "923001230002@s.whatsapp.net"];
    // Every other message of a person carries its LID alias (no lookup), the rest need the
    // stored mapping (a database read): converting them takes different times, and a
    // later message must still not overtake an earlier one.
    const msg = (i: number) => ({
      key: { remoteJid: people[i % 2]!, fromMe: false, id: `3EB0BURST${String(i).padStart(4, "0")}`, ...(i % 4 >= 2 ? { remoteJidAlt: `20555500000${i % 2}@lid` } : {}) },
      message: { conversation: `q${i}` },
      messageTimestamp: FIXTURE_NOW.getTime() / 1000,
    });
    for (let i = 0; i < 30; i++) s.sockets.latest.emit("messages.upsert", { type: "notify", messages: [msg(i)] });
    // A batch, as Baileys delivers after a reconnect.
    s.sockets.latest.emit("messages.upsert", { type: "notify", messages: Array.from({ length: 10 }, (_, k) => msg(30 + k)) });
    await until(() => got.length === 40);
    for (const [p, person] of people.entries()) {
      const texts = got.filter((m) => m.chat.id === person).map((m) => (m.content as { text: string }).text);
      expect(texts).toEqual(Array.from({ length: 20 }, (_, k) => `q${2 * k + p}`));
    }
  });

  it("answers groups only when WHATSAPP_GROUPS is on, and declares it", async () => {
    const off = await setup();
    expect(off.adapter.capabilities).toMatchObject({ buttons: false, location: true, files: true, groups: false, maxTextLength: 4096 });
    const on = await setup({ env: { WHATSAPP_GROUPS: "true" } });
    expect(on.adapter.capabilities.groups).toBe(true);
    const got: InboundMessage[] = [];
    await on.adapter.stop();
    const adapter = await createWhatsAppChannel(on.app.deps, { socketFactory: on.sockets.factory, openTimeoutMs: 500 });
    cleanups.push(() => adapter.stop());
    await adapter.start(async (m) => void got.push(m));
    on.sockets.latest.emit("messages.upsert", upsert("group-mention"));
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ chat: { kind: "group" }, addressedToBot: true });
  });
});

describe("session lifecycle", () => {
  it("saves credentials on every creds.update", async () => {
    const s = await setup();
    s.sockets.latest.emit("creds.update", { me: { id: "923009990009:7@s.whatsapp.net", name: "Renamed Bot" } });
    await s.adapter.session.flush();
    const row = await s.database.prisma.whatsAppAuthKey.findFirstOrThrow({ where: { type: "creds" } });
    expect(row.value).toContain("Renamed Bot");
  });

  it("one number, one process: a second process refuses and says why, then takes over when the first stops", async () => {
    const first = await setup();
    expect(first.adapter.status).toBe("connecting");
    const second = await setup({ database: first.database, options: { standbyRetryMs: 30, lease: { owner: "machine-b:2:bbb" } } });
    expect(second.adapter.status).toBe("held");
    expect(second.sockets.sockets).toHaveLength(0);
    const warning = second.lines.find((l) => /held by another process/.test(String(l.msg)));
    expect(warning).toMatchObject({ owner: first.adapter.session.lease.owner });
    // Off the messenger's list, so this process's outbox worker leaves WhatsApp rows alone.
    expect(second.app.deps.messenger.capabilities("whatsapp")).toBeUndefined();
    expect(first.app.deps.messenger.capabilities("whatsapp")).toBeDefined();
    await first.adapter.stop();
    await until(() => second.sockets.sockets.length === 1, 3000);
    await until(() => Boolean(second.adapter.session.openSocket));
    expect(second.adapter.status).toBe("connecting");
    expect(second.app.deps.messenger.capabilities("whatsapp")).toBeDefined();
  });

  it("logged out (401): stored state cleared, no reconnect, the log says to run the login", async () => {
    const s = await setup();
    await s.adapter.session.lease.renew();
    s.sockets.latest.close(401, "Intentional Logout");
    await until(() => s.adapter.status === "logged-out");
    expect(s.app.deps.messenger.capabilities("whatsapp")).toBeUndefined();
    expect(await s.database.prisma.whatsAppAuthKey.count()).toBe(0);
    expect(s.sockets.sockets).toHaveLength(1);
    expect(messages(s.lines).some((m) => m.includes("npx seller-bot whatsapp login"))).toBe(true);
    expect(await s.database.prisma.whatsAppLease.count()).toBe(0);
  });

  it("other disconnects: reconnect with capped exponential backoff, reset once open, no tight loop", async () => {
    const waits: number[] = [];
    const s = await setup({ options: { sleep: async (ms) => void waits.push(ms), random: () => 1, backoff: { baseMs: 1000, maxMs: 8000 } }, autoOpen: false });
    s.sockets.latest.open();
    await until(() => Boolean(s.adapter.session.openSocket));
    for (const code of [428, 408, 503, 500, 440, 428]) {
      const before = s.sockets.sockets.length;
      s.sockets.latest.close(code);
      await until(() => s.sockets.sockets.length === before + 1);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    s.sockets.latest.open();
    await until(() => Boolean(s.adapter.session.openSocket));
    s.sockets.latest.close(428);
    await until(() => waits.length === 7);
    expect(waits[6]).toBe(1000);
    // 515 "restart required" (after linking) reconnects at once.
    await until(() => s.sockets.sockets.length === 8);
    s.sockets.latest.close(515);
    await until(() => waits.length === 8);
    expect(waits[7]).toBe(0);
    expect(messages(s.lines).filter((m) => /reconnecting/.test(m))).toHaveLength(8);
  });

  it("jitter keeps each wait between half and all of the step", async () => {
    const waits: number[] = [];
    const s = await setup({ options: { sleep: async (ms) => void waits.push(ms), random: () => 0, backoff: { baseMs: 1000, maxMs: 8000 } } });
    s.sockets.latest.close(428);
    await until(() => waits.length === 1);
    expect(waits[0]).toBe(500);
  });

  it("stopping during a backoff wait makes no new socket", async () => {
    let release: () => void = () => undefined;
    const s = await setup({ options: { sleep: (_ms, signal) => new Promise((resolve, reject) => { release = resolve; signal.addEventListener("abort", () => reject(new Error("aborted"))); }) } });
    s.sockets.latest.close(428);
    await new Promise((r) => setTimeout(r, 20));
    await s.adapter.stop();
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.sockets.sockets).toHaveLength(1);
  });

  it("a corrupted stored session: clear error in the log, not overwritten, no crash, no socket", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.cleanup());
    await database.prisma.whatsAppAuthKey.create({ data: { session: "default", type: "creds", keyId: "", value: '{"noiseKey": tru' } });
    const s = await setup({ database });
    expect(s.adapter.status).toBe("corrupt");
    expect(s.app.deps.messenger.capabilities("whatsapp")).toBeUndefined();
    expect(s.sockets.sockets).toHaveLength(0);
    expect(s.lines.some((l) => l.level === 50 && /unreadable.*login --reset/.test(String(l.msg)))).toBe(true);
    expect((await database.prisma.whatsAppAuthKey.findFirstOrThrow()).value).toBe('{"noiseKey": tru');
    await expect(s.adapter.send("923001110001@s.whatsapp.net", { text: "x" })).rejects.toMatchObject({ kind: "network" });
  });

  it("without a linked number: says to run the login and stays idle", async () => {
    const s = await setup({ link: false });
    expect(s.adapter.status).toBe("not-linked");
    expect(s.sockets.sockets).toHaveLength(0);
    expect(messages(s.lines).some((m) => m.includes("npx seller-bot whatsapp login"))).toBe(true);
  });

  it("logs no phone numbers or LIDs at info level", async () => {
    const s = await setup();
    s.sockets.latest.emit("messages.upsert", upsert("text"));
    s.sockets.latest.close(428);
    await until(() => s.sockets.sockets.length === 2);
    await s.app.core.idle();
    const all = JSON.stringify(s.lines);
    expect(all).not.toMatch(/923001110001|201234567890123|923009990009/);
  });
});
