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

async function start(options: FakeBotApiOptions = {}) {
  fake = await createFakeBotApi(options);
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
      const f = await start({ random: { p429: 0.2, p500: 0.1, seed: 3 } });
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

  it("adds latency", async () => {
    const f = await start({ latencyMs: 60 });
    const t0 = performance.now();
    await call(f, "getMe");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it("delivers to a webhook with or without the secret", async () => {
    const f = await start();
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
});
