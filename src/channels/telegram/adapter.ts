/**
 * The Telegram adapter: grammY `Bot` ⇄ the core. Long polling with a small loop of our own
 * or a webhook on the process's HTTP server with the secret token required. Either way an
 * update is acknowledged to Telegram only once the core has stored it (the next
 * getUpdates offset; the webhook's 200), so a crash loses nothing
 * (docs/decisions/0008-inbound-inbox.md). It translates and does nothing else.
 */
import { timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { IncomingMessage } from "node:http";
import { sequentialize } from "@grammyjs/runner";
import { Bot, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import { toChannelError } from "./errors.ts";
import { toInbound, type BotIdentity } from "./inbound.ts";
import { MAX_TEXT_LENGTH, sendOutbound } from "./outbound.ts";
import { setCommandMenus } from "./commands.ts";
import { ChannelStartError } from "../../core/errors.ts";
import type { Adapter, ChannelCapabilities, InboundHandler, Lang } from "../../core/types.ts";
import { readBody, type HttpServer } from "../../http/server.ts";
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

const CAPABILITIES: ChannelCapabilities = { buttons: true, location: true, files: true, groups: true, media: true, maxTextLength: MAX_TEXT_LENGTH };
/** Any call but getUpdates gives up after this long (grammY's own default is 500 s). */
const REQUEST_TIMEOUT_MS = 20_000;
/** A webhook request is answered within this long: 200 once stored, else 503 (Telegram sends it again). */
const WEBHOOK_ANSWER_MS = 25_000;

/** Creates the adapter; nothing is called on the Bot API until `start`. */
export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { log, i18n } = options;
  if (options.mode === "webhook" && (!options.webhook || !options.http)) throw new Error("telegram webhook mode needs webhook.url, webhook.secret and an HTTP server");
  const apiRoot = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
  const pollTimeout = options.pollTimeoutSeconds ?? 30;
  const bot = new Bot(options.token, { client: { apiRoot, timeoutSeconds: pollTimeout + 30 } });
  let handler: InboundHandler | undefined;
  let accepting = false;
  let polling: { stop: AbortController; done: Promise<void> } | undefined;
  // Confirms every update before it to Telegram at the next getUpdates.
  let offset = 0;
  let me: BotIdentity | undefined;
  const inFlight = new Set<Promise<unknown>>();

  boundRequests(bot);
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
  // One chat's updates in order; different chats concurrently.
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id ?? "")));
  bot.use(async (ctx) => dispatch(ctx.update));

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
    // Resolves once the core has stored the message; a rejection means "not stored".
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

  /**
   * Long polling: fetch a batch, hand every update to the core, and move the offset past
   * the ones it stored. Telegram forgets an update only when a later getUpdates carries a
   * higher offset, so an update that could not be stored (database down) is fetched again.
   */
  async function poll(stop: AbortSignal): Promise<void> {
    let failures = 0;
    while (!stop.aborted) {
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates({ offset, timeout: pollTimeout, allowed_updates: [...ALLOWED_UPDATES] }, stop as never);
        failures = 0;
      } catch (error) {
        if (stop.aborted) return;
        failures += 1;
        // 409: a webhook is set or another process polls this token. Each poller keeps
        // ending the other's request, so neither gets updates reliably: say so, once a streak.
        if (failures === 1 && error instanceof GrammyError && error.error_code === 409) {
          log.warn({ reason: error.description }, "telegram getUpdates conflict: another bot instance polls this token (or a webhook is set); run one instance");
        }
        await sleep(pollRetryMs(error, failures), undefined, { signal: stop }).catch(() => undefined);
        continue;
      }
      if (updates.length === 0) continue;
      const next = await handOn(updates);
      offset = Math.max(offset, next);
      if (next <= updates.at(-1)!.update_id) {
        failures += 1;
        await sleep(Math.min(30_000, 500 * 2 ** (failures - 1)), undefined, { signal: stop }).catch(() => undefined);
      }
    }
  }

  /** Hands a batch to the core; returns the offset confirming the updates up to the first one not stored. */
  async function handOn(updates: Update[]): Promise<number> {
    const results = await Promise.allSettled(updates.map((u) => bot.handleUpdate(u)));
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed === -1) return updates.at(-1)!.update_id + 1;
    const reason = (results[failed] as PromiseRejectedResult).reason as { error?: unknown };
    log.warn({ updateId: updates[failed]!.update_id, err: reason?.error ?? reason }, "telegram update could not be stored; it will be fetched again");
    return updates[failed]!.update_id;
  }

  if (options.mode === "webhook") mountWebhook();

  function mountWebhook(): void {
    const { url, secret } = options.webhook!;
    const path = new URL(url).pathname;
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
      if (!sameSecret(req.headers["x-telegram-bot-api-secret-token"], secret)) {
        res.writeHead(401).end();
        return true;
      }
      // Counted from the first byte, so stop() also waits for requests still being read.
      const handling = receiveWebhook(req);
      inFlight.add(handling);
      try {
        res.writeHead(await handling).end();
      } finally {
        inFlight.delete(handling);
      }
      return true;
    });
  }

  /** A webhook request's status: 200 once the update is stored, 400 for a broken body, 503 to have it sent again. */
  async function receiveWebhook(req: IncomingMessage): Promise<number> {
    const body = await readBody(req); // over 1 MB: 413 from the HTTP server
    let update: Update;
    try {
      update = JSON.parse(body.toString("utf8")) as Update;
    } catch {
      return 400;
    }
    if (typeof update !== "object" || update === null || typeof update.update_id !== "number") return 400;
    const handled = bot.handleUpdate(update).then(() => 200);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(503), WEBHOOK_ANSWER_MS)));
    try {
      const status = await Promise.race([handled, late]);
      if (status === 503) log.warn({ updateId: update.update_id }, "telegram webhook update not stored in time; answered 503 so Telegram sends it again");
      return status;
    } catch (error) {
      log.warn({ updateId: update.update_id, err: (error as { error?: unknown }).error ?? error }, "telegram webhook update could not be stored; answered 503 so Telegram sends it again");
      return 503;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    channel: "telegram",
    capabilities: CAPABILITIES,
    redelivers: true,
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
          const failure = toChannelError(error);
          throw new ChannelStartError(failure.kind === "network" ? "unreachable" : "configuration", `Telegram refused setWebhook for TELEGRAM_WEBHOOK_URL: ${failure.message}`, { cause: failure });
        });
        accepting = true;
        log.info({ bot: me.username, url }, "telegram webhook set");
        return;
      }
      // A webhook left from an earlier run would make getUpdates fail with 409.
      await bot.api.deleteWebhook().catch((error: unknown) => log.warn({ err: toChannelError(error) }, "telegram deleteWebhook failed"));
      accepting = true;
      const stop = new AbortController();
      polling = { stop, done: poll(stop.signal).catch((error: unknown) => log.error({ reason: toChannelError(error).message }, "telegram polling stopped")) };
      log.info({ bot: me.username }, "telegram polling started");
    },
    async stop() {
      accepting = false;
      const p = polling;
      polling = undefined;
      p?.stop.abort();
      await p?.done;
      // Wait for every update already taken, including ones queued behind their chat.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      // Confirm what was stored, so the next start does not fetch it again (it would be skipped).
      if (p && offset > 0) await bot.api.getUpdates({ offset, limit: 1, timeout: 0 }, AbortSignal.timeout(5000) as never).catch(() => undefined);
      handler = undefined;
    },
    send: (chatId, message) => sendOutbound(bot.api, chatId, message),
  };
}

/** Waits before the next getUpdates after a failure: Telegram's retry_after, longer for a conflict or a bad token. */
function pollRetryMs(error: unknown, failures: number): number {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) return (error.parameters?.retry_after ?? 1) * 1000;
    // Another process polls this bot, or a webhook is set: try again slowly.
    if (error.error_code === 409) return 5_000;
    if (error.error_code === 401) return 60_000;
  }
  return Math.min(30_000, 500 * 2 ** (failures - 1));
}

/** Compares the webhook secret in constant time. */
function sameSecret(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== "string") return false;
  const a = Buffer.from(header);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Every call but the long poll gets its own timeout, so a hung request cannot hold a handler. */
function boundRequests(bot: Bot): void {
  bot.api.config.use((prev, method, payload, signal) => {
    if (method === "getUpdates") return prev(method, payload, signal);
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return prev(method, payload, (signal ? AbortSignal.any([signal as unknown as AbortSignal, timeout]) : timeout) as never);
  });
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
      if (error instanceof GrammyError && error.error_code === 401) {
        throw new ChannelStartError("configuration", "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token with @BotFather");
      }
      const failure = toChannelError(error);
      if (failure.kind !== "network") {
        throw new ChannelStartError("configuration", `the Telegram Bot API at ${apiRoot} (TELEGRAM_API_ROOT) refused getMe: ${failure.message}`, { cause: failure });
      }
      if (Date.now() + wait >= deadline) {
        throw new ChannelStartError("unreachable", `could not reach the Telegram Bot API at ${apiRoot} (TELEGRAM_API_ROOT): ${failure.message}`, { cause: failure });
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** The polling loop retries getUpdates quietly; say why in the log when it fails. */
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
