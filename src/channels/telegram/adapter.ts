/**
 * The Telegram adapter: grammY `Bot` ⇄ the core. Long polling with @grammyjs/runner
 * (sequential per chat, concurrent across chats) or a webhook on the process's HTTP server
 * with the secret token required. It translates and does nothing else.
 */
import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { Bot, GrammyError, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import { toChannelError } from "./errors.ts";
import { toInbound, type BotIdentity } from "./inbound.ts";
import { MAX_TEXT_LENGTH, sendOutbound } from "./outbound.ts";
import { setCommandMenus } from "./commands.ts";
import type { Adapter, ChannelCapabilities, InboundHandler, Lang } from "../../core/types.ts";
import type { HttpServer } from "../../http/server.ts";
import type { I18n } from "../../i18n/index.ts";

/** Update types the bot asks for; everything else is never delivered. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

/** How to build the adapter. */
export interface TelegramAdapterOptions {
  token: string;
  /** Bot API root, e.g. a local Bot API server (default https://api.telegram.org). */
  apiRoot?: string;
  mode: "polling" | "webhook";
  /** Required for webhook mode: the public URL given to setWebhook and its secret token. */
  webhook?: { url: string; secret: string };
  /** The process's HTTP server; the webhook route is mounted on it (path of `webhook.url`). */
  http?: HttpServer;
  log: Logger;
  i18n: I18n;
  /** getUpdates long-poll timeout in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** How long start may wait for getMe (default 30 s). */
  startTimeoutMs?: number;
  /** Set the command menus at start (default true). */
  setCommands?: boolean;
}

/** The adapter, plus the grammY bot for tests and diagnostics. */
export interface TelegramAdapter extends Adapter {
  readonly bot: Bot;
  /** Updates being handled right now. */
  inFlight(): number;
}

const CAPABILITIES: ChannelCapabilities = { buttons: true, location: true, files: true, groups: true, maxTextLength: MAX_TEXT_LENGTH };

/** Creates the adapter; nothing is called on the Bot API until `start`. */
export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { log, i18n } = options;
  if (options.mode === "webhook" && (!options.webhook || !options.http)) throw new Error("telegram webhook mode needs webhook.url, webhook.secret and an HTTP server");
  const apiRoot = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
  const bot = new Bot(options.token, { client: { apiRoot } });
  let handler: InboundHandler | undefined;
  let accepting = false;
  let runner: RunnerHandle | undefined;
  let me: BotIdentity | undefined;
  const inFlight = new Set<Promise<unknown>>();

  logGetUpdatesFailures(bot, log);
  // Outermost: count every update from arrival (even while it waits for its chat's turn),
  // so stop() can wait for all of them.
  bot.use(async (_ctx, next) => {
    const p = next();
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  });
  // One chat's updates in order; different chats concurrently (runner mode).
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id ?? "")));
  bot.use(async (ctx) => dispatch(ctx.update));
  bot.catch((error) => log.error({ err: error.error, updateId: error.ctx.update.update_id }, "telegram update failed"));

  async function dispatch(update: Update): Promise<void> {
    const h = handler;
    if (!h || !me) return;
    const decision = toInbound(update, me);
    if (decision.action === "ignore") {
      log.debug({ updateId: update.update_id, reason: decision.reason }, "telegram update ignored");
      return;
    }
    if (decision.action === "reject-callback") {
      log.info({ updateId: update.update_id, problem: decision.problem }, "telegram callback data rejected");
      await answerCallback(decision.callbackQueryId, i18n.t(langOf(decision.languageHint))("telegram:callback.invalid"));
      return;
    }
    // Answer the press at once so the button stops spinning; the reply follows as a message.
    if (decision.callbackQueryId) await answerCallback(decision.callbackQueryId);
    await h(decision.message);
  }

  async function answerCallback(id: string, text?: string): Promise<void> {
    try {
      await bot.api.answerCallbackQuery(id, text ? { text } : {});
    } catch (error) {
      // A query older than ~15 s can no longer be answered; the message is still handled.
      log.debug({ err: toChannelError(error) }, "answerCallbackQuery failed");
    }
  }

  if (options.mode === "webhook") mountWebhook();

  function mountWebhook(): void {
    const { url, secret } = options.webhook!;
    const path = new URL(url).pathname;
    // Telegram waits for our answer; a slow handler must not make it resend, so the
    // answer goes after 25 s and handling continues (the core dedupes resends anyway).
    const callback = webhookCallback(bot, "http", { secretToken: secret, onTimeout: "return", timeoutMilliseconds: 25_000 });
    options.http!.route(async (req, res) => {
      if (new URL(req.url ?? "/", "http://localhost").pathname !== path) return false;
      if (req.method !== "POST") {
        res.writeHead(405, { allow: "POST" }).end();
        return true;
      }
      if (!accepting) {
        // Stopping or not started: Telegram retries later (or another instance takes it).
        res.writeHead(503, { "retry-after": "5" }).end();
        return true;
      }
      // Counted from the first byte, so stop() also waits for requests still being read.
      const handling = callback(req, res); // 401 for a wrong or missing X-Telegram-Bot-Api-Secret-Token
      inFlight.add(handling);
      try {
        await handling;
      } catch (error) {
        log.warn({ err: error }, "telegram webhook request failed");
        if (!res.headersSent) res.writeHead(400).end();
      } finally {
        inFlight.delete(handling);
      }
      return true;
    });
  }

  return {
    channel: "telegram",
    capabilities: CAPABILITIES,
    bot,
    inFlight: () => inFlight.size,
    async start(h) {
      handler = h;
      me = await identify(bot, apiRoot, options.startTimeoutMs ?? 30_000);
      if (options.setCommands !== false) {
        await setCommandMenus(bot.api, i18n).catch((error: unknown) => log.warn({ err: toChannelError(error) }, "telegram setMyCommands failed"));
      }
      if (options.mode === "webhook") {
        const { url, secret } = options.webhook!;
        await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] }).catch((error: unknown) => {
          throw toChannelError(error);
        });
        accepting = true;
        log.info({ bot: me.username, url }, "telegram webhook set");
        return;
      }
      // A webhook left from an earlier run would make getUpdates fail with 409.
      await bot.api.deleteWebhook().catch((error: unknown) => log.warn({ err: toChannelError(error) }, "telegram deleteWebhook failed"));
      accepting = true;
      runner = run(bot, {
        runner: { fetch: { timeout: options.pollTimeoutSeconds ?? 30, allowed_updates: [...ALLOWED_UPDATES] }, silent: true },
      });
      runner.task()?.catch((error: unknown) => log.error({ reason: toChannelError(error).message }, "telegram polling stopped"));
      log.info({ bot: me.username }, "telegram polling started");
    },
    async stop() {
      accepting = false;
      const r = runner;
      runner = undefined;
      if (r?.isRunning()) await r.stop().catch(() => undefined);
      // Wait for every update already taken, including ones queued behind their chat.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      handler = undefined;
    },
    send: (chatId, message) => sendOutbound(bot.api, chatId, message),
  };
}

/**
 * getMe once per start: it checks the token and gives the username that commands and
 * mentions use. Network faults and 5xx are retried with backoff until `timeoutMs`, then
 * the start fails with the last reason (instead of hanging for grammY's 500 s timeout).
 */
async function identify(bot: Bot, apiRoot: string, timeoutMs: number): Promise<BotIdentity> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
    try {
      const remaining = Math.max(1, deadline - Date.now());
      bot.botInfo = await bot.api.getMe(AbortSignal.timeout(remaining) as unknown as Parameters<typeof bot.api.getMe>[0]);
      return { id: bot.botInfo.id, username: bot.botInfo.username };
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 401) throw new Error("Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token with @BotFather");
      const failure = toChannelError(error);
      if (failure.kind !== "network" || Date.now() + wait >= deadline) {
        throw new Error(`could not reach the Telegram Bot API at ${apiRoot} (TELEGRAM_API_ROOT): ${failure.message}`, { cause: failure });
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** The runner retries getUpdates quietly; say why in the log when it fails. */
function logGetUpdatesFailures(bot: Bot, log: Logger): void {
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    try {
      const result = await prev(method, payload, signal);
      if (!result.ok) log.warn({ code: result.error_code, description: result.description }, "telegram getUpdates failed");
      return result;
    } catch (error) {
      if (!signal?.aborted) log.warn({ reason: toChannelError(error).message }, "telegram getUpdates failed");
      throw error;
    }
  });
}

/** Reply language for texts the adapter itself sends (before the core knows the user). */
function langOf(hint: string | undefined): Lang {
  return hint?.toLowerCase().startsWith("ur") ? "ur" : "en";
}
