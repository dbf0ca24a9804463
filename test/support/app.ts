/**
 * The whole app on a real test database with an in-memory channel: send a message, get
 * the replies the user would see.
 */
import pino from "pino";
import { createApp, type App } from "../../src/app.ts";
import { createMemoryAdapter, type MemoryAdapter } from "../../src/channels/memory/index.ts";
import { loadConfig } from "../../src/config.ts";
import type { ChannelCapabilities, ChannelId, InboundContent, InboundMessage, OutboundMessage } from "../../src/core/types.ts";
import type { DatabaseTimeouts } from "../../src/db/client.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

/** A running test app. */
export interface TestApp {
  app: App;
  adapter: MemoryAdapter;
  database: TestDatabase;
  /** Sends text (or other content) from a user; returns the replies to that chat. */
  send(content: string | InboundContent, from?: Partial<InboundMessage["sender"]> & { chat?: InboundMessage["chat"] }): Promise<OutboundMessage[]>;
  /** Builds an inbound message without sending it. */
  inbound(content: string | InboundContent, from?: Partial<InboundMessage["sender"]> & { chat?: InboundMessage["chat"] }): InboundMessage;
  close(): Promise<void>;
}

let counter = 0;

/** Starts the app. `env` overrides configuration; `channel` and `capabilities` shape the fake channel. */
export async function createTestApp(
  options: { env?: Record<string, string>; channel?: ChannelId; capabilities?: Partial<ChannelCapabilities>; now?: () => Date; timeouts?: Partial<DatabaseTimeouts> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ timeouts: options.timeouts });
  const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", LOG_LEVEL: "silent", ...options.env });
  const app = await createApp(config, { database, log: pino({ level: "silent" }), now: options.now });
  const channel = options.channel ?? "console";
  const adapter = createMemoryAdapter(channel, options.capabilities);
  app.deps.messenger.register(adapter);
  await adapter.start(app.core.handle);
  const inbound: TestApp["inbound"] = (content, from = {}) => {
    counter += 1;
    const senderId = from.id ?? "u1";
    return {
      channel,
      messageId: `t${counter}-${Math.random().toString(36).slice(2, 8)}`,
      chat: from.chat ?? { id: senderId, kind: "private" },
      sender: { id: senderId, displayName: from.displayName, languageHint: from.languageHint, aliases: from.aliases },
      sentAt: new Date(),
      content: typeof content === "string" ? { kind: "text", text: content } : content,
    };
  };
  return {
    app,
    adapter,
    database,
    inbound,
    async send(content, from = {}) {
      const message = inbound(content, from);
      const before = adapter.sent.length;
      await adapter.receive(message);
      return adapter.sent.slice(before).filter((s) => s.chatId === message.chat.id).map((s) => s.message);
    },
    async close() {
      await adapter.stop();
      await app.close();
      await database.cleanup();
    },
  };
}
