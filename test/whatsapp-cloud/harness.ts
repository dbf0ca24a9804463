/**
 * The whole app with the WhatsApp Cloud API channel on a real test database, its webhook on
 * a real HTTP server, talking real HTTP to the fake Graph API; posts are signed as Meta does.
 */
import pino from "pino";
import { createApp, type App } from "../../src/app.ts";
import { createWhatsAppCloudChannel, type Templates, type WhatsAppCloudAdapter } from "../../src/channels/whatsapp-cloud/index.ts";
import { createMemoryAdapter, type MemoryAdapter } from "../../src/channels/memory/index.ts";
import { loadConfig } from "../../src/config.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { messagesPayload, postSigned, startFakeGraphApi, type FakeGraphApi, type FakeGraphOptions } from "../support/fake-graph-api.ts";

export const TOKEN = "test-cloud-token";
export const PHONE_ID = "106540352242922";
export const APP_SECRET = "test-app-secret-0123";
export const VERIFY_TOKEN = "verify-me-please";

/** A running rig. */
export interface CloudRig {
  app: App;
  adapter: WhatsAppCloudAdapter;
  fake: FakeGraphApi;
  http: HttpServer;
  database: TestDatabase;
  /** The webhook URL. */
  url: string;
  /** A console channel (admins there get the token notice). */
  console: MemoryAdapter;
  /** Posts one signed message from `from` (Meta's shape); resolves with the HTTP status. */
  post(from: string, message: Record<string, unknown>, name?: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts the rig. `env` adds configuration; `templates` replaces content/whatsapp/templates.json. */
export async function createCloudRig(options: { env?: Record<string, string>; templates?: Templates; fake?: FakeGraphOptions; handler?: "accept" | "none" } = {}): Promise<CloudRig> {
  const fake = await startFakeGraphApi({ token: TOKEN, phoneNumberId: PHONE_ID, ...options.fake });
  const database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test",
    LOG_LEVEL: "silent",
    WHATSAPP_CLOUD_TOKEN: TOKEN,
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: PHONE_ID,
    WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
    WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_CLOUD_API_ROOT: fake.root,
    ...options.env,
  });
  const app = await createApp(config, { database, log: pino({ level: "silent" }) });
  const http = createHttpServer(async () => ({ ok: true }));
  const port = await http.listen(0);
  const url = `http://127.0.0.1:${port}/webhooks/whatsapp`;
  fake.setWebhook({ url, appSecret: APP_SECRET });
  const adapter = createWhatsAppCloudChannel(app.deps, http, { templates: options.templates });
  app.deps.messenger.register(adapter);
  const console = createMemoryAdapter("console");
  app.deps.messenger.register(console);
  await console.start(app.core.handle);
  if (options.handler !== "none") await adapter.start(app.core.accept);
  return {
    app,
    adapter,
    fake,
    http,
    database,
    url,
    console,
    post: (from, message, name) => postSigned(url, JSON.stringify(messagesPayload(PHONE_ID, from, message, name)), APP_SECRET),
    async close() {
      await adapter.stop();
      await console.stop();
      await app.core.stop();
      await http.close();
      await fake.close();
      await app.close();
      await database.cleanup();
    },
  };
}

/** Polls until `check` is true. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("until: timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
