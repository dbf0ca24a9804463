/**
 * The Telegram channel (grammY). `seller-bot start` calls {@link createTelegramChannel}
 * when TELEGRAM_BOT_TOKEN is set; see docs/telegram.md.
 */
import type { AppDeps } from "../../core/context.ts";
import type { Adapter } from "../../core/types.ts";
import type { HttpServer } from "../../http/server.ts";
import { createTelegramAdapter } from "./adapter.ts";

export { createTelegramAdapter, ALLOWED_UPDATES, type TelegramAdapter, type TelegramAdapterOptions } from "./adapter.ts";
export { toChannelError } from "./errors.ts";
export { toInbound, type BotIdentity, type InboundDecision } from "./inbound.ts";
export { escapeHtml, inlineKeyboard, MAX_TEXT_LENGTH } from "./outbound.ts";
export { callbackDataSchema, MAX_CALLBACK_BYTES } from "./callback-data.ts";

/** Creates the Telegram adapter from `config.telegram`, mounting the webhook route on `http` in webhook mode. */
export async function createTelegramChannel(deps: AppDeps, http: HttpServer): Promise<Adapter> {
  const tg = deps.config.telegram;
  if (!tg) throw new Error("TELEGRAM_BOT_TOKEN is not set");
  return createTelegramAdapter({
    token: tg.token,
    apiRoot: tg.apiRoot,
    mode: tg.mode,
    // config.ts already requires both in webhook mode.
    webhook: tg.mode === "webhook" ? { url: tg.webhookUrl!, secret: tg.webhookSecret! } : undefined,
    http,
    log: deps.log.child({ channel: "telegram" }),
    i18n: deps.i18n,
    startTimeoutMs: tg.startTimeoutMs,
  });
}
