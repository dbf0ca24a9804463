/**
 * The fake Bot API itself (other areas rely on it: the broadcasts reliability run): it
 * behaves like Telegram where the adapter and the outbox depend on it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createFakeBotApi, failures, parseHtml, type FakeBotApi, type FakeBotApiOptions } from "../support/fake-bot-api.ts";

let fake: FakeBotApi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A fake that lets tests send to made-up chats (the chat checks have their own tests). */
async function start(options: FakeBotApiOptions = {}) {
  fake = await createFakeBotApi({ knownChats: "any", ...options });
  return fake;
}
async function call(f: FakeBotApi, method: string, body: Record<string, unknown> = {}, token = f.token) {
  const res = await fetch(`${f.url}/bot${token}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: { retry_after?: number } } };
}

describe("fake Bot API", () => {
  it("rejects a wrong token and unknown methods like Telegram", async () => {
    const f = await start();
    expect((await call(f, "getMe", {}, "1:wrong")).status).toBe(401);
    expect((await call(f, "sendTelepathy")).body).toMatchObject({ ok: false, error_code: 404 });
  });

  it("serves getUpdates from a queue, confirms by offset, and long-polls", async () => {
    const f = await start();
    f.pushText("a");
    f.pushText("b");
    const first = await call(f, "getUpdates", { offset: 0, limit: 1 });
    expect((first.body.result as Array<{ update_id: number }>).map((u) => u.update_id)).toEqual([1]);
    const second = await call(f, "getUpdates", { offset: 2 });
    expect((second.body.result as Array<{ update_id: number }>).map((u) => u.update_id)).toEqual([2]);
    expect(f.pending()).toBe(1);
    const waiting = call(f, "getUpdates", { offset: 3, timeout: 5 });
    setTimeout(() => f.pushText("c"), 50);
    expect(((await waiting).body.result as Array<{ update_id: number }>).map((u) => u.update_id)).toEqual([3]);
    expect(f.pending()).toBe(1); // confirmed by the next offset only
  });

  it("answers 409 to getUpdates while a webhook is set", async () => {
    const f = await start();
    await call(f, "setWebhook", { url: "https://example.org/hook", secret_token: "x" });
    expect((await call(f, "getUpdates")).body.error_code).toBe(409);
    await call(f, "deleteWebhook");
    expect((await call(f, "getUpdates")).status).toBe(200);
  });

  it("parses HTML like Telegram: escaped text passes, raw markup and bare & do not", () => {
    expect(parseHtml("a &lt;b&gt; &amp; &quot;c&quot; <b>bold</b> &#1575;")).toEqual({ text: 'a <b> & "c" bold ا' });
    expect(parseHtml("a <x> b")).toHaveProperty("error");
    expect(parseHtml("Tom & Jerry")).toHaveProperty("error");
    expect(parseHtml("<b>open")).toHaveProperty("error");
  });

  it("checks text length after parsing, empty text, and callback data size", async () => {
    const f = await start();
    expect((await call(f, "sendMessage", { chat_id: 1, text: "&amp;".repeat(4096), parse_mode: "HTML" })).status).toBe(200);
    expect((await call(f, "sendMessage", { chat_id: 1, text: "x".repeat(4097) })).body.description).toBe("Bad Request: message is too long");
    expect((await call(f, "sendMessage", { chat_id: 1, text: "  " })).body.description).toBe("Bad Request: message text is empty");
    const markup = { inline_keyboard: [[{ text: "b", callback_data: "x".repeat(65) }]] };
    expect((await call(f, "sendMessage", { chat_id: 1, text: "t", reply_markup: markup })).body.description).toContain("BUTTON_DATA_INVALID");
  });

  it("fails on request: scripted per method and chat, blocked chats", async () => {
    const f = await start();
    f.failNext({ method: "sendMessage", chatId: 7, times: 2, failure: failures.tooManyRequests(3) });
    f.block(8);
    expect((await call(f, "sendMessage", { chat_id: 6, text: "ok" })).status).toBe(200);
    expect((await call(f, "sendMessage", { chat_id: 7, text: "x" })).body).toMatchObject({ error_code: 429, parameters: { retry_after: 3 } });
    expect((await call(f, "sendMessage", { chat_id: 7, text: "x" })).status).toBe(429);
    expect((await call(f, "sendMessage", { chat_id: 7, text: "x" })).status).toBe(200);
    expect((await call(f, "sendMessage", { chat_id: 8, text: "x" })).body.description).toBe("Forbidden: bot was blocked by the user");
    f.unblock(8);
    expect((await call(f, "sendMessage", { chat_id: 8, text: "x" })).status).toBe(200);
    expect(f.calls.map((c) => [c.method, c.chatId, c.ok])).toHaveLength(6);
    expect(f.textsTo(7)).toEqual(["x"]);
  });

  it("fails at random, reproducibly with a seed", async () => {
    const run = async () => {
      const f = await start({ random: { p429: 0.2, p500: 0.1, seed: 3 }, rateLimit: false });
      const codes: number[] = [];
      for (let i = 0; i < 50; i++) codes.push((await call(f, "sendMessage", { chat_id: i, text: "x" })).status);
      await f.close();
      fake = undefined;
      return codes;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a.filter((c) => c === 429).length).toBeGreaterThan(3);
    expect(a.filter((c) => c === 500).length).toBeGreaterThan(0);
    expect(a.filter((c) => c === 200).length).toBeGreaterThan(25);
  });

  it("enforces a per-chat rate limit with 429 retry_after 1", async () => {
    const f = await start({ rateLimit: { perChatPerSecond: 1, globalPerSecond: 30 } });
    expect((await call(f, "sendMessage", { chat_id: 5, text: "1" })).status).toBe(200);
    expect((await call(f, "sendMessage", { chat_id: 5, text: "2" })).body).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });
    expect((await call(f, "sendMessage", { chat_id: 6, text: "3" })).status).toBe(200);
  });

  it("delivers to a webhook with or without the secret", async () => {
    const f = await start({ localServer: true });
    const { createServer } = await import("node:http");
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers["x-telegram-bot-api-secret-token"] as string | undefined);
      res.end();
    }).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    await call(f, "setWebhook", { url, secret_token: "abc" });
    expect(await f.deliver({ message: { message_id: 1 } })).toBe(200);
    expect(await f.deliver({ message: { message_id: 2 } }, { secret: null })).toBe(200);
    expect(seen).toEqual(["abc", undefined]);
    server.close();
  });

  it("setWebhook: HTTPS on 443, 80, 88 or 8443 only, unless it is a local Bot API server", async () => {
    const f = await start();
    const refused = (url: string) => call(f, "setWebhook", { url }).then((r) => r.body);
    expect(await refused("http://bot.example.com/hook")).toEqual({ ok: false, error_code: 400, description: "Bad Request: bad webhook: An HTTPS URL must be provided for webhook" });
    expect(await refused("https://bot.example.com:3000/hook")).toEqual({ ok: false, error_code: 400, description: "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443" });
    for (const url of ["https://bot.example.com/hook", "https://bot.example.com:8443/hook", "https://bot.example.com:88/hook"]) {
      expect((await call(f, "setWebhook", { url })).body).toEqual({ ok: true, result: true });
    }
    await f.close();
    const local = await start({ localServer: true });
    expect((await call(local, "setWebhook", { url: "http://127.0.0.1:3000/hook" })).body).toEqual({ ok: true, result: true });
  });

  it("a second getUpdates ends the waiting one with 409 (two bot instances)", async () => {
    const f = await start();
    const first = call(f, "getUpdates", { timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = call(f, "getUpdates", { timeout: 0 });
    expect((await first).body).toEqual({ ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" });
    expect((await second).body).toEqual({ ok: true, result: [] });
  });

  it("sends only to chats it knows: unknown 400 chat not found, a user who never started the bot 403", async () => {
    const f = await createFakeBotApi();
    fake = f;
    expect((await call(f, "sendMessage", { chat_id: 4242, text: "x" })).body).toEqual({ ok: false, error_code: 400, description: "Bad Request: chat not found" });
    // Seen in a group only: Telegram knows the user, but they never pressed Start.
    f.pushText("hi all", { from: { id: 5151 }, chat: { id: -100777, type: "supergroup", title: "Exporters" } });
    expect((await call(f, "sendMessage", { chat_id: 5151, text: "x" })).body).toEqual({ ok: false, error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" });
    expect((await call(f, "sendMessage", { chat_id: -100777, text: "to the group" })).status).toBe(200);
    f.pushText("/start", { from: { id: 5151 } });
    expect((await call(f, "sendMessage", { chat_id: 5151, text: "now it works" })).status).toBe(200);
    f.meet(6161);
    expect((await call(f, "sendMessage", { chat_id: 6161, text: "met" })).status).toBe(200);
  });

  it("rate limits by default: private chats a burst then ~1/s, groups 20/min, 30/s overall, with retry_after", async () => {
    const f = await start();
    const send = (chat_id: number) => call(f, "sendMessage", { chat_id, text: "x" }).then((r) => r.body);
    for (let i = 0; i < 5; i++) expect((await send(9)).ok).toBe(true);
    expect(await send(9)).toMatchObject({ ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    const group: Array<{ ok: boolean; parameters?: { retry_after?: number } }> = [];
    for (let i = 0; i < 21; i++) group.push(await send(-100500));
    expect(group.filter((r) => r.ok)).toHaveLength(20);
    expect(group.at(-1)).toMatchObject({ ok: false, error_code: 429, parameters: { retry_after: 3 } });
    await f.close();
    const g = await start();
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => call(g, "sendMessage", { chat_id: 1000 + i, text: "x" }).then((r) => r.body)));
    expect(many.filter((r) => r.ok).length).toBeLessThanOrEqual(30);
    expect(many.filter((r) => r.error_code === 429).length).toBeGreaterThanOrEqual(10);
  });
});
