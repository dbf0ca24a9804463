/**
 * Builds a Telegram adapter talking real HTTP to the fake Bot API (test/support/fake-bot-api.ts).
 */
import pino from "pino";
import { createTelegramAdapter, type TelegramAdapter } from "../../src/channels/telegram/index.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/index.ts";
import { createFakeBotApi, type FakeBotApi, type FakeBotApiOptions } from "../support/fake-bot-api.ts";

/** A fake Bot API, an adapter on it, and what the adapter handed to the core. */
export interface TelegramTestRig {
  fake: FakeBotApi;
  adapter: TelegramAdapter;
  received: InboundMessage[];
  http?: HttpServer;
  /** Port of the HTTP server in webhook mode. */
  port?: number;
  close(): Promise<void>;
}

const i18n = createI18n();

/** Creates (not starts) an adapter against a fresh fake. */
export async function createRig(options: { mode?: "polling" | "webhook"; fake?: FakeBotApiOptions; secret?: string; log?: pino.Logger; reuseFake?: FakeBotApi } = {}): Promise<TelegramTestRig> {
  // The webhook URL here is plain http on a random port: only a local Bot API server takes it.
  const fake = options.reuseFake ?? (await createFakeBotApi({ ...(options.mode === "webhook" ? { localServer: true } : {}), ...options.fake }));
  const log = options.log ?? pino({ level: "silent" });
  let http: HttpServer | undefined;
  let port: number | undefined;
  if (options.mode === "webhook") {
    http = createHttpServer(async () => ({ ok: true }));
    port = await http.listen(0, "127.0.0.1");
  }
  const adapter = createTelegramAdapter({
    token: fake.token,
    apiRoot: fake.url,
    mode: options.mode ?? "polling",
    webhook: options.mode === "webhook" ? { url: `http://127.0.0.1:${port}/telegram/webhook`, secret: options.secret ?? "s3cret_token-1" } : undefined,
    http,
    log,
    i18n,
    pollTimeoutSeconds: 1,
  });
  return {
    fake,
    adapter,
    received: [],
    http,
    port,
    async close() {
      await adapter.stop();
      await http?.close();
      if (!options.reuseFake) await fake.close();
    },
  };
}

/** Polls until `check` is true. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("until: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}
