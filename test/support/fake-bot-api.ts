/**
 * A local HTTP server that behaves like the Telegram Bot API, for tests and benchmarks.
 * grammY talks real HTTP to it (set `apiRoot` to `fake.url`). It:
 * - answers getMe, getUpdates (long polling from a queue), sendMessage, sendLocation,
 *   sendVenue, sendDocument (multipart or by file_id), sendVoice / sendAudio / sendPhoto /
 *   sendVideo / sendVideoNote / sendAnimation by file_id (a caption ≤ 1024 after parsing;
 *   only file ids it saw in an update, used as their own kind), answerCallbackQuery, setWebhook, deleteWebhook,
 *   getWebhookInfo, setMyCommands, getMyCommands, deleteMyCommands, sendChatAction;
 * - checks what Telegram checks: HTML entities (parse_mode HTML), text length after
 *   parsing (4096), callback data ≤ 64 bytes, known callback query ids, getUpdates while a
 *   webhook is set (409), a second getUpdates while one is waiting (409 for the first),
 *   setWebhook only for HTTPS on 443/80/88/8443 (unless `localServer`, like a local Bot API
 *   server), sends only to chats it has seen: an unknown chat is 400 "chat not found", a user
 *   seen only in a group (never started the bot) is 403 "bot can't initiate conversation";
 *   a group upgraded with `migrate` answers 400 "group chat was upgraded to a supergroup
 *   chat" with `parameters.migrate_to_chat_id`; `message_thread_id` must be a forum topic
 *   seen in an update ("message thread not found");
 * - limits sends as Telegram does, on by default: about one a second per private chat
 *   (bursts of 5), 20 a minute per group, 30 a second overall → 429 with retry_after;
 * - fails on request: scripted failures (`failNext`), blocked chats (`block`), random 429 /
 *   500 (`random`, seeded), a rate limit (`rateLimit`), latency (`latencyMs`);
 * - records every call (`calls`), cheaply: one object per call, no copies of payloads.
 * It can also deliver an update to a webhook (`deliver`) the way Telegram does.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A Bot API error reply; `drop` closes the socket instead (a network fault). */
export type FakeFailure =
  | { error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } }
  | { drop: true };

/** Ready-made failures with Telegram's own wording. */
export const failures = {
  tooManyRequests: (retryAfter = 1): FakeFailure => ({ error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } }),
  blocked: (): FakeFailure => ({ error_code: 403, description: "Forbidden: bot was blocked by the user" }),
  kicked: (): FakeFailure => ({ error_code: 403, description: "Forbidden: bot was kicked from the group chat" }),
  deactivated: (): FakeFailure => ({ error_code: 403, description: "Forbidden: user is deactivated" }),
  chatNotFound: (): FakeFailure => ({ error_code: 400, description: "Bad Request: chat not found" }),
  cantInitiate: (): FakeFailure => ({ error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" }),
  badEntities: (): FakeFailure => ({ error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0" }),
  tooLong: (): FakeFailure => ({ error_code: 400, description: "Bad Request: message is too long" }),
  serverError: (): FakeFailure => ({ error_code: 500, description: "Internal Server Error" }),
  badGateway: (): FakeFailure => ({ error_code: 502, description: "Bad Gateway" }),
  network: (): FakeFailure => ({ drop: true }),
};

/** One recorded API call. */
export interface ApiCall {
  seq: number;
  method: string;
  params: Record<string, unknown>;
  /** `String(params.chat_id)` when present. */
  chatId?: string;
  /** ms since the server started. */
  at: number;
  ok: boolean;
  errorCode?: number;
  /** For send* methods: the plain text Telegram would show (HTML parsed). */
  text?: string;
  result?: unknown;
}

/** Options; everything has a default. */
export interface FakeBotApiOptions {
  token?: string;
  bot?: { id?: number; username?: string; first_name?: string };
  /** Delay before every answer (getUpdates excepted): a number, or a random range. */
  latencyMs?: number | { min: number; max: number };
  /** Random failures on send* methods (probabilities 0..1), reproducible with `seed`. */
  random?: { p429?: number; retryAfter?: number; p500?: number; p403?: number; seed?: number };
  /**
   * Telegram-like limits on send* methods: over them a call gets 429 with retry_after.
   * Default (on): 30/s overall, private chats a burst of 5 then 1/s, groups 20/min.
   * `perChatPerSecond` replaces the private-chat bucket with a strict window; `false` turns
   * the limits off (benchmarks of raw throughput).
   */
  rateLimit?: false | { globalPerSecond?: number; perChatPerSecond?: number; privateBurst?: number; groupPerMinute?: number };
  /** Behave like a local Bot API server: setWebhook takes any http(s) URL and port. */
  localServer?: boolean;
  /**
   * Chats a send may go to without having been seen in an update (tests that send to a
   * made-up chat id); `"any"` turns the chat check off.
   */
  knownChats?: Array<string | number> | "any";
  /** Keep `params` of calls (default true; turn off for very large runs). */
  recordParams?: boolean;
}

type Rule = { method?: string; chatId?: string; times: number; failure: FakeFailure };
type Waiter = { offset: number; limit: number; resolve: (u: Update[]) => void; conflict: () => void; timer: NodeJS.Timeout };
type Update = { update_id: number } & Record<string, unknown>;
type User = { id: number; is_bot: boolean; first_name: string; last_name?: string; username?: string; language_code?: string };
type Chat = { id: number; type: "private" | "group" | "supergroup" | "channel"; title?: string; first_name?: string; username?: string };

/** A running fake. */
export interface FakeBotApi {
  /** The `apiRoot` for grammY (no trailing slash). */
  readonly url: string;
  readonly token: string;
  readonly botUser: User;
  readonly calls: ApiCall[];
  /** Successful calls of one method (optionally to one chat). */
  callsTo(method: string, chatId?: string | number): ApiCall[];
  /** Plain texts successfully sent to a chat (sendMessage), in order. */
  textsTo(chatId: string | number): string[];
  /** Queues an update for getUpdates; `update_id` is assigned. Returns the full update. */
  push(update: Record<string, unknown>): Update;
  /** Queues a private text message from `from` (default user 1001). */
  pushText(text: string, opts?: { from?: Partial<User>; chat?: Partial<Chat>; extra?: Record<string, unknown> }): Update;
  /** Queues a button press; returns the callback query id. */
  pushCallback(data: string, opts?: { from?: Partial<User>; chat?: Partial<Chat>; messageId?: number }): string;
  /** Updates queued and not yet confirmed by an offset. */
  pending(): number;
  /** Makes the next `times` calls matching method/chat fail with `failure`. */
  failNext(rule: { method?: string; chatId?: string | number; times?: number; failure: FakeFailure }): void;
  /** Upgrades a group to a supergroup: sends to `from` fail with Telegram's 400 and the new id; `to` becomes known. */
  migrate(from: string | number, to: string | number): void;
  /** Makes a chat known, as if its user had pressed Start (or the bot were in the group). */
  meet(chatId: string | number): void;
  /** Every send to this chat fails with 403 blocked until `unblock`. */
  block(chatId: string | number): void;
  unblock(chatId: string | number): void;
  /** The webhook set with setWebhook, if any. */
  readonly webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | undefined;
  /** Commands set per language code ("" = default). */
  readonly commands: Map<string, Array<{ command: string; description: string }>>;
  /** Posts an update to the webhook as Telegram would; returns the HTTP status. */
  deliver(update: Record<string, unknown>, opts?: { url?: string; secret?: string | null }): Promise<number>;
  /** Builds a full update (with `update_id`) without queuing it. */
  makeUpdate(update: Record<string, unknown>): Update;
  close(): Promise<void>;
}

const SEND_METHODS = new Set(["sendMessage", "sendLocation", "sendVenue", "sendDocument", "sendPhoto", "sendVoice", "sendAudio", "sendVideo", "sendVideoNote", "sendAnimation", "sendChatAction"]);
/** send method → the field of the file it sends (and the kind a file_id must be of). */
const FILE_METHODS: Record<string, string> = { sendVoice: "voice", sendAudio: "audio", sendPhoto: "photo", sendVideo: "video", sendVideoNote: "video_note", sendAnimation: "animation", sendDocument: "document" };
const TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "tg-spoiler", "tg-emoji", "blockquote"]);

/** Starts a fake Bot API on a free local port. */
export async function createFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const token = options.token ?? "123456:TEST-fake-token";
  const botUser: User = { id: options.bot?.id ?? Number(token.split(":")[0]), is_bot: true, first_name: options.bot?.first_name ?? "Seller Bot", username: options.bot?.username ?? "seller_test_bot" };
  const started = Date.now();
  const random = mulberry32(options.random?.seed ?? 42);
  const recordParams = options.recordParams ?? true;
  const calls: ApiCall[] = [];
  const rules: Rule[] = [];
  const blocked = new Set<string>();
  const queue: Update[] = [];
  const waiters = new Set<Waiter>();
  const callbackIds = new Map<string, boolean>(); // id → answered
  const messageCounters = new Map<string, number>();
  const commands = new Map<string, Array<{ command: string; description: string }>>();
  const rate = { globalWindow: [] as number[], perChat: new Map<string, number[]>(), buckets: new Map<string, { credit: number; at: number }>() };
  // Chats a send may reach: private chats of users who wrote to the bot, groups it is in.
  const chats = new Set<string>(options.knownChats === "any" ? [] : (options.knownChats ?? []).map(String));
  // Users seen (in groups) who never opened a private chat with the bot.
  const strangers = new Set<string>();
  // Groups upgraded to supergroups: old id → new id.
  const migrated = new Map<string, string>();
  // file_id → kind (voice, photo, …) of files seen in updates; forum topics per chat.
  const files = new Map<string, string>();
  const threads = new Set<string>();
  let webhook: FakeBotApi["webhook"];
  let nextUpdateId = 1;
  let nextCallbackId = 1;
  let seq = 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: 500, description: `fake: ${String(error)}` }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Arrival time before the body is read: a busy fake must not bunch arrivals up.
    const arrived = Date.now() - started;
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", url).pathname);
    const body = await readBody(req);
    if (!match) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const [, reqToken, method] = match as unknown as [string, string, string];
    if (reqToken !== token) return json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const params = parseParams(req.headers["content-type"] ?? "", body, new URL(req.url ?? "/", url).searchParams);
    const chatId = params.chat_id === undefined ? undefined : String(params.chat_id);
    const call: ApiCall = { seq: ++seq, method, params: recordParams ? params : {}, chatId, at: arrived, ok: false };
    calls.push(call);

    if (method !== "getUpdates") await delay(latency());
    const failure = scriptedFailure(method, chatId);
    if (failure) {
      if ("drop" in failure) {
        call.errorCode = 0;
        req.socket.destroy();
        return;
      }
      call.errorCode = failure.error_code;
      return json(res, failure.error_code, { ok: false, ...failure });
    }
    const outcome = method === "getUpdates" ? await getUpdates(params, res) : answer(method, params, chatId, call);
    if (outcome === undefined) return; // client went away while long polling
    if ("error_code" in outcome) {
      call.errorCode = outcome.error_code;
      return json(res, outcome.error_code, { ok: false, ...outcome });
    }
    call.ok = true;
    call.result = outcome.result;
    return json(res, 200, { ok: true, result: outcome.result });
  }

  function scriptedFailure(method: string, chatId: string | undefined): FakeFailure | undefined {
    const rule = rules.find((r) => r.times > 0 && (!r.method || r.method === method) && (!r.chatId || r.chatId === chatId));
    if (rule) {
      rule.times -= 1;
      if (rule.times === 0) rules.splice(rules.indexOf(rule), 1);
      return rule.failure;
    }
    if (!SEND_METHODS.has(method) || chatId === undefined) return undefined;
    const newId = migrated.get(chatId);
    if (newId !== undefined) return { error_code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", parameters: { migrate_to_chat_id: Number(newId) } };
    if (options.knownChats !== "any" && !chats.has(chatId)) {
      return strangers.has(chatId) ? failures.cantInitiate() : failures.chatNotFound();
    }
    if (blocked.has(chatId)) return failures.blocked();
    const r = options.random;
    if (r) {
      const x = random();
      if (x < (r.p429 ?? 0)) return failures.tooManyRequests(r.retryAfter ?? 1);
      if (x < (r.p429 ?? 0) + (r.p500 ?? 0)) return failures.serverError();
      if (x < (r.p429 ?? 0) + (r.p500 ?? 0) + (r.p403 ?? 0)) return failures.blocked();
    }
    const wait = overRateLimit(chatId);
    return wait ? failures.tooManyRequests(wait) : undefined;
  }

  /**
   * Seconds to wait when a send is over a limit, 0 when it may go. The overall limit is a
   * sliding one-second window; chats are token buckets (Telegram allows short bursts).
   */
  function overRateLimit(chatId: string): number {
    const limit = options.rateLimit === undefined ? {} : options.rateLimit;
    if (limit === false) return 0;
    const now = Date.now();
    const trim = (w: number[]) => {
      while (w.length && now - w[0]! >= 1000) w.shift();
    };
    trim(rate.globalWindow);
    if (rate.globalWindow.length >= (limit.globalPerSecond ?? 30)) return 1;
    const group = Number(chatId) < 0;
    if (!group && limit.perChatPerSecond !== undefined) {
      let chatWindow = rate.perChat.get(chatId);
      if (!chatWindow) rate.perChat.set(chatId, (chatWindow = []));
      trim(chatWindow);
      if (chatWindow.length >= limit.perChatPerSecond) return 1;
      chatWindow.push(now);
    } else {
      const capacity = group ? (limit.groupPerMinute ?? 20) : (limit.privateBurst ?? 5);
      const perMs = group ? (limit.groupPerMinute ?? 20) / 60_000 : 1 / 1000;
      let bucket = rate.buckets.get(chatId);
      if (!bucket) rate.buckets.set(chatId, (bucket = { credit: capacity, at: now }));
      bucket.credit = Math.min(capacity, bucket.credit + (now - bucket.at) * perMs);
      bucket.at = now;
      if (bucket.credit < 1) return Math.max(1, Math.ceil((1 - bucket.credit) / perMs / 1000));
      bucket.credit -= 1;
    }
    rate.globalWindow.push(now);
    return 0;
  }

  type Outcome = { result: unknown } | { error_code: number; description: string; parameters?: Record<string, unknown> };
  const bad = (description: string): Outcome => ({ error_code: 400, description: `Bad Request: ${description}` });

  function answer(method: string, p: Record<string, unknown>, chatId: string | undefined, call: ApiCall): Outcome {
    if (SEND_METHODS.has(method) && p.message_thread_id !== undefined && !threads.has(`${chatId}:${p.message_thread_id}`)) return bad("message thread not found");
    const topic = p.message_thread_id !== undefined ? { message_thread_id: Number(p.message_thread_id), is_topic_message: true } : {};
    const sent = (outcome: Outcome): Outcome => ("result" in outcome && typeof outcome.result === "object" ? { result: { ...(outcome.result as object), ...topic } } : outcome);
    if (FILE_METHODS[method] && typeof p[FILE_METHODS[method]] === "string") return sent(sendFile(method, p, chatId, call));
    return sent(answerOther(method, p, chatId, call));
  }

  /** A send by file_id: the file must be one Telegram has (seen in an update) and of the method's kind. */
  function sendFile(method: string, p: Record<string, unknown>, chatId: string | undefined, call: ApiCall): Outcome {
    if (chatId === undefined) return bad("chat_id is empty");
    const field = FILE_METHODS[method]!;
    const fileId = p[field] as string;
    const kind = files.get(fileId);
    if (!kind) return bad("wrong file identifier/HTTP URL specified");
    if (kind !== field) return bad(`can't use file of type ${label(kind)} as ${label(field)}`);
    let caption = "";
    if (p.caption !== undefined) {
      if (field === "video_note") return bad("video notes can't have a caption");
      const parsed = p.parse_mode === "HTML" ? parseHtml(String(p.caption)) : { text: String(p.caption) };
      if ("error" in parsed) return bad(`can't parse entities: ${parsed.error}`);
      if (parsed.text.length > 1024) return bad("message caption is too long");
      caption = parsed.text;
    }
    const markupError = checkMarkup(p.reply_markup);
    if (markupError) return bad(markupError);
    call.text = caption;
    const file = field === "photo" ? [{ file_id: fileId, file_unique_id: `u${fileId}`, width: 1280, height: 960 }] : { file_id: fileId, file_unique_id: `u${fileId}` };
    return { result: { ...message(chatId), [field]: file, ...(caption ? { caption } : {}), ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}) } };
  }

  function answerOther(method: string, p: Record<string, unknown>, chatId: string | undefined, call: ApiCall): Outcome {
    switch (method) {
      case "getMe":
        return { result: { ...botUser, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } };
      case "sendMessage": {
        if (chatId === undefined) return bad("chat_id is empty");
        const text = typeof p.text === "string" ? p.text : "";
        const parsed = p.parse_mode === "HTML" ? parseHtml(text) : { text };
        if ("error" in parsed) return bad(`can't parse entities: ${parsed.error}`);
        if (parsed.text.trim() === "") return bad("message text is empty");
        if (parsed.text.length > 4096) return bad("message is too long");
        const markupError = checkMarkup(p.reply_markup);
        if (markupError) return bad(markupError);
        call.text = parsed.text;
        return { result: { ...message(chatId), text: parsed.text, ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}) } };
      }
      case "sendLocation":
      case "sendVenue": {
        if (chatId === undefined) return bad("chat_id is empty");
        const latitude = Number(p.latitude);
        const longitude = Number(p.longitude);
        if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return bad("wrong latitude or longitude");
        return { result: { ...message(chatId), location: { latitude, longitude } } };
      }
      case "sendDocument": {
        if (chatId === undefined) return bad("chat_id is empty");
        const file = p.document as { filename?: string; size?: number } | string | undefined;
        if (!file) return bad("there is no document in the request");
        const meta = typeof file === "string" ? { filename: file, size: 0 } : file;
        return { result: { ...message(chatId), document: { file_id: `doc${seq}`, file_unique_id: `u${seq}`, file_name: meta.filename, file_size: meta.size } } };
      }
      case "sendChatAction":
        return { result: true };
      case "answerCallbackQuery": {
        const id = String(p.callback_query_id ?? "");
        if (!callbackIds.has(id) || callbackIds.get(id)) return bad("query is too old and response timeout expired or query ID is invalid");
        if (typeof p.text === "string" && p.text.length > 200) return bad("MESSAGE_TOO_LONG");
        callbackIds.set(id, true);
        return { result: true };
      }
      case "setWebhook": {
        const hook = String(p.url ?? "");
        if (hook === "") {
          webhook = undefined;
          return { result: true };
        }
        const refusal = webhookRefusal(hook, options.localServer ?? false);
        if (refusal) return bad(`bad webhook: ${refusal}`);
        webhook = { url: hook, secret_token: p.secret_token as string | undefined, allowed_updates: p.allowed_updates as string[] | undefined };
        return { result: true };
      }
      case "deleteWebhook":
        webhook = undefined;
        if (p.drop_pending_updates) queue.length = 0;
        return { result: true };
      case "getWebhookInfo":
        return { result: { url: webhook?.url ?? "", has_custom_certificate: false, pending_update_count: queue.length } };
      case "setMyCommands": {
        const list = p.commands as Array<{ command: string; description: string }> | undefined;
        if (!Array.isArray(list)) return bad("commands not found");
        for (const c of list) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) return bad("BOT_COMMAND_INVALID");
          if (!c.description || c.description.length > 256) return bad("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        commands.set(String(p.language_code ?? ""), list);
        return { result: true };
      }
      case "getMyCommands":
        return { result: commands.get(String(p.language_code ?? "")) ?? [] };
      case "deleteMyCommands":
        commands.delete(String(p.language_code ?? ""));
        return { result: true };
      default:
        return { error_code: 404, description: "Not Found: method not found" };
    }
  }

  function message(chatId: string): Record<string, unknown> {
    const id = (messageCounters.get(chatId) ?? 0) + 1;
    messageCounters.set(chatId, id);
    const numeric = Number(chatId);
    return { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: numeric, type: numeric < 0 ? "supergroup" : "private" }, from: botUser };
  }

  async function getUpdates(p: Record<string, unknown>, res: ServerResponse): Promise<Outcome | undefined> {
    if (webhook) return { error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" };
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeout = Math.max(0, Number(p.timeout ?? 0));
    // Telegram answers a waiting getUpdates with 409 when another one arrives (two pollers).
    for (const w of [...waiters]) w.conflict();
    confirm(offset);
    const ready = take(offset, limit);
    if (ready.length > 0 || timeout === 0) return { result: ready };
    return new Promise((resolve) => {
      const waiter: Waiter = {
        offset,
        limit,
        resolve: (updates) => {
          clearTimeout(waiter.timer);
          waiters.delete(waiter);
          resolve({ result: updates });
        },
        conflict: () => {
          clearTimeout(waiter.timer);
          waiters.delete(waiter);
          resolve({ error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" });
        },
        timer: setTimeout(() => waiter.resolve([]), timeout * 1000),
      };
      waiters.add(waiter);
      // "close" on the response: the client aborted (runner stop) or the answer was sent.
      res.once("close", () => {
        if (!waiters.delete(waiter)) return;
        clearTimeout(waiter.timer);
        resolve(undefined);
      });
    });
  }

  function confirm(offset: number): void {
    while (queue.length && queue[0]!.update_id < offset) queue.shift();
  }

  function take(offset: number, limit: number): Update[] {
    const out: Update[] = [];
    for (const u of queue) {
      if (u.update_id < offset) continue;
      out.push(u);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** What Telegram knows from an update: the chat exists, a private chat's user started the bot, its files and topics. */
  function learn(update: Record<string, unknown>): void {
    for (const value of Object.values(update)) {
      if (typeof value !== "object" || value === null) continue;
      learnFiles(value as Record<string, unknown>);
      const v = value as { chat?: { id?: number; type?: string }; from?: { id?: number }; message?: { chat?: { id?: number; type?: string } } };
      const chat = v.chat ?? v.message?.chat;
      const kicked = (v as { new_chat_member?: { status?: string } }).new_chat_member?.status;
      if (chat?.id !== undefined && kicked !== "kicked" && kicked !== "left") chats.add(String(chat.id));
      if (v.from?.id !== undefined && !chats.has(String(v.from.id))) strangers.add(String(v.from.id));
    }
  }

  function learnFiles(msg: Record<string, unknown>): void {
    for (const kind of Object.values(FILE_METHODS)) {
      const f = msg[kind];
      for (const file of Array.isArray(f) ? f : [f]) {
        const id = (file as { file_id?: unknown } | undefined)?.file_id;
        if (typeof id === "string") files.set(id, kind);
      }
    }
    const chat = (msg.chat as { id?: number } | undefined)?.id;
    if (msg.is_topic_message && msg.message_thread_id !== undefined) threads.add(`${chat}:${msg.message_thread_id}`);
    if (typeof msg.migrate_to_chat_id === "number" && chat !== undefined) {
      migrated.set(String(chat), String(msg.migrate_to_chat_id));
      chats.add(String(msg.migrate_to_chat_id));
    }
  }

  function makeUpdate(update: Record<string, unknown>): Update {
    const full = { update_id: nextUpdateId++, ...update } as Update;
    learn(full);
    const cb = full.callback_query as { id?: string } | undefined;
    if (cb?.id) callbackIds.set(cb.id, false);
    return full;
  }

  function push(update: Record<string, unknown>): Update {
    const full = makeUpdate(update);
    queue.push(full);
    for (const w of waiters) {
      const ready = take(w.offset, w.limit);
      if (ready.length) w.resolve(ready);
    }
    return full;
  }

  function latency(): number {
    const l = options.latencyMs;
    if (l === undefined) return 0;
    if (typeof l === "number") return l;
    return l.min + random() * (l.max - l.min);
  }

  const user = (from: Partial<User> = {}): User => ({ id: 1001, is_bot: false, first_name: "Ayesha", language_code: "en", ...from });
  const privateChat = (u: User, chat: Partial<Chat> = {}): Chat => ({ id: u.id, type: "private", first_name: u.first_name, ...chat });
  let inboundMessageId = 1;

  const fake: FakeBotApi = {
    url,
    token,
    botUser,
    calls,
    callsTo: (method, chatId) => calls.filter((c) => c.ok && c.method === method && (chatId === undefined || c.chatId === String(chatId))),
    textsTo: (chatId) => fake.callsTo("sendMessage", chatId).map((c) => c.text ?? ""),
    push,
    makeUpdate,
    pushText(text, opts = {}) {
      const from = user(opts.from);
      const chat = privateChat(from, opts.chat);
      return push({ message: { message_id: inboundMessageId++, date: Math.floor(Date.now() / 1000), from, chat, text, ...opts.extra } });
    },
    pushCallback(data, opts = {}) {
      const from = user(opts.from);
      const chat = privateChat(from, opts.chat);
      const id = `cbq${nextCallbackId++}`;
      push({
        callback_query: {
          id,
          from,
          chat_instance: `ci${chat.id}`,
          data,
          message: { message_id: opts.messageId ?? 1, date: Math.floor(Date.now() / 1000), chat, from: botUser, text: "…" },
        },
      });
      return id;
    },
    pending: () => queue.length,
    failNext: ({ method, chatId, times = 1, failure }) => void rules.push({ method, chatId: chatId === undefined ? undefined : String(chatId), times, failure }),
    meet: (chatId) => void chats.add(String(chatId)),
    migrate(from, to) {
      migrated.set(String(from), String(to));
      chats.add(String(to));
    },
    block: (chatId) => void blocked.add(String(chatId)),
    unblock: (chatId) => void blocked.delete(String(chatId)),
    get webhook() {
      return webhook;
    },
    commands,
    async deliver(update, opts = {}) {
      const target = opts.url ?? webhook?.url;
      if (!target) throw new Error("fake: no webhook set");
      const secret = opts.secret === undefined ? webhook?.secret_token : opts.secret;
      const full = "update_id" in update ? (update as Update) : makeUpdate(update);
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
        body: JSON.stringify(full),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async close() {
      for (const w of waiters) w.resolve([]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/**
 * Parses Telegram's HTML the way the Bot API does, strictly: only its tags, only
 * `&lt; &gt; &amp; &quot;` and numeric entities. Returns the plain text or an error.
 */
export function parseHtml(html: string): { text: string } | { error: string } {
  let text = "";
  const open: string[] = [];
  for (let i = 0; i < html.length; i++) {
    const ch = html[i]!;
    if (ch === "<") {
      const end = html.indexOf(">", i);
      if (end < 0) return { error: `Can't find end of the tag at byte offset ${i}` };
      const tag = html.slice(i + 1, end);
      const closing = tag.startsWith("/");
      const name = (closing ? tag.slice(1) : tag).split(/[\s=]/)[0]!.toLowerCase();
      if (!TAGS.has(name)) return { error: `Unsupported start tag "${name}" at byte offset ${i}` };
      if (closing) {
        if (open.pop() !== name) return { error: `Unmatched end tag at byte offset ${i}, expected "</${open.at(-1) ?? ""}>", found "</${name}>"` };
      } else open.push(name);
      i = end;
    } else if (ch === "&") {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-f]{1,6});/i.exec(html.slice(i, i + 12));
      if (!m) return { error: `Character '&' is reserved and must be escaped at byte offset ${i}` };
      const name = m[1]!.toLowerCase();
      text += name === "lt" ? "<" : name === "gt" ? ">" : name === "amp" ? "&" : name === "quot" ? '"' : String.fromCodePoint(name.startsWith("#x") ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
      i += m[0].length - 1;
    } else text += ch;
  }
  if (open.length) return { error: `Can't find end tag corresponding to start tag "${open.at(-1)}"` };
  return { text };
}

/**
 * Why the official Bot API refuses a webhook URL: it must be HTTPS on 443, 80, 88 or 8443.
 * A local Bot API server accepts any http(s) URL and port.
 */
export function webhookRefusal(hook: string, localServer: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(hook);
  } catch {
    return "invalid webhook URL specified";
  }
  if (localServer) return /^https?:$/.test(parsed.protocol) ? undefined : "unsupported URL protocol";
  if (parsed.protocol !== "https:") return "An HTTPS URL must be provided for webhook";
  if (parsed.port && !["443", "80", "88", "8443"].includes(parsed.port)) return "Webhook can be set up only on ports 80, 88, 443 or 8443";
  return undefined;
}

/** "video_note" → "VideoNote", as Telegram names file types in its errors. */
function label(kind: string): string {
  return kind.split("_").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

function checkMarkup(markup: unknown): string | undefined {
  const rows = (markup as { inline_keyboard?: unknown })?.inline_keyboard;
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows) {
    for (const button of row as Array<{ text?: string; callback_data?: string }>) {
      if (!button.text) return "text buttons are unallowed in the inline keyboard";
      if (button.callback_data !== undefined && (Buffer.byteLength(button.callback_data) > 64 || button.callback_data === "")) return "BUTTON_DATA_INVALID";
    }
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON bodies, multipart/form-data (grammY's file uploads) or query strings. */
function parseParams(contentType: string, body: Buffer, query: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(query);
  if (contentType.startsWith("application/json") && body.length) return { ...params, ...(JSON.parse(body.toString("utf8")) as Record<string, unknown>) };
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) return params;
  const files = new Map<string, { filename: string; size: number; content: Buffer }>();
  const fields: Record<string, string> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, headerEnd).toString("utf8");
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]+)"/i.exec(headers)?.[1] ?? "";
    const filename = /filename="?([^"\r\n;]+)"?/i.exec(headers)?.[1];
    if (filename !== undefined) files.set(name, { filename, size: content.length, content });
    else fields[name] = content.toString("utf8");
    start = next;
  }
  for (const [key, value] of Object.entries(fields)) {
    const attach = /^attach:\/\/(.+)$/.exec(value);
    if (attach) params[key] = files.get(attach[1]!) ?? value;
    else params[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return params;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) }).end(data);
}

const delay = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/** A small seeded PRNG so random failures repeat run to run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
