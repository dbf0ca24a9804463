/**
 * WhatsApp and the inbox: Baileys has already sent the delivery receipt when it emits
 * `messages.upsert`, so WhatsApp will not send the message again; the adapter hands it to
 * the core at once and the core stores it before anything else. A process that dies while
 * handling it leaves the row, and the next process holding the number answers it.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { createWhatsAppChannel, type WhatsAppAdapter } from "../../src/channels/whatsapp/index.ts";
import { loadConfig } from "../../src/config.ts";
import type { Feature } from "../../src/core/context.ts";
import { createCore } from "../../src/core/engine.ts";
import { createOwnerId } from "../../src/core/inbox.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { fakeSockets, FIXTURE_NOW, storeLinkedSession, until, upsert } from "../whatsapp/support.ts";

let database: TestDatabase | undefined;
let app: App | undefined;
let adapter: WhatsAppAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  await app?.core.stop();
  await app?.close();
  await database?.cleanup();
  adapter = app = database = undefined;
});

describe("WhatsApp messages in the inbox", () => {
  it("a message whose process died while handling it is answered by the next one", async () => {
    database = await createTestDatabase();
    await storeLinkedSession(database.prisma);
    const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", WHATSAPP_ENABLED: "true", LOG_LEVEL: "silent", MESSAGE_DEADLINE_MS: "500", INBOX_LEASE_MS: "5000" });
    app = await createApp(config, { database, log: pino({ level: "silent" }), now: () => FIXTURE_NOW });
    const sockets = fakeSockets();
    adapter = await createWhatsAppChannel(app.deps, { socketFactory: sockets.factory, openTimeoutMs: 2000, sleep: async () => undefined });
    app.deps.messenger.register(adapter);
    // The first process: its handling never finishes (it is about to be killed).
    const dies: Feature = { name: "dies", middleware: () => new Promise<void>(() => undefined) };
    const dying = createCore(app.deps, [dies], { owner: createOwnerId({ pid: 999999 }) });
    await adapter.start(dying.handle);
    const message = upsert("text");
    sockets.latest.emit("messages.upsert", message);
    const id = message.messages[0]!.key.id!;
    const db = database.prisma;
    await until(async () => (await db.inboundMessage.count({ where: { channel: "whatsapp", externalMessageId: id } })) === 1, 5000);
    const row = await db.inboundMessage.findFirstOrThrow({ where: { channel: "whatsapp", externalMessageId: id } });
    expect(row.handledAt).toBeNull();
    expect(JSON.parse(row.payload!)).toMatchObject({ channel: "whatsapp", messageId: id, content: { kind: "text" } });
    expect(sockets.latest.sent).toHaveLength(0);

    // The next process (pid 999999 is gone): its replay answers the message.
    const before = sockets.latest.sent.length;
    expect(await app.core.replay()).toBe(1);
    await app.core.idle();
    expect(sockets.latest.sent.length).toBeGreaterThan(before);
    expect((await db.inboundMessage.findFirstOrThrow({ where: { id: row.id } })).handledAt).toBeInstanceOf(Date);
  });
});
