/**
 * Webhook mode: setWebhook at start with the URL and secret; the route on the process's
 * HTTP server accepts only requests carrying the secret token.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRig, until, type TelegramTestRig } from "./harness.ts";

const SECRET = "s3cret_token-1";
let rig: TelegramTestRig;
beforeEach(async () => {
  rig = await createRig({ mode: "webhook", secret: SECRET });
  await rig.adapter.start(async (m) => void rig.received.push(m));
});
afterEach(() => rig.close());

const update = (text: string, id = 9001) => ({ message: { message_id: Math.floor(Math.random() * 1e9), date: 1_700_000_000, chat: { id, type: "private" }, from: { id, is_bot: false, first_name: "W" }, text } });

describe("telegram webhook", () => {
  it("calls setWebhook with the URL, the secret and the update types, and never polls", async () => {
    expect(rig.fake.webhook).toEqual({ url: `http://127.0.0.1:${rig.port}/telegram/webhook`, secret_token: SECRET, allowed_updates: ["message", "callback_query", "my_chat_member"] });
    expect(rig.fake.calls.some((c) => c.method === "getUpdates" || c.method === "deleteWebhook")).toBe(false);
  });

  it("handles an update with the right secret (200)", async () => {
    expect(await rig.fake.deliver(update("hello by webhook"))).toBe(200);
    await until(() => rig.received.length === 1);
    expect(rig.received[0]!.content).toEqual({ kind: "text", text: "hello by webhook" });
  });

  it("answers 401 and handles nothing for a wrong or missing secret", async () => {
    expect(await rig.fake.deliver(update("forged"), { secret: "wrong-secret" })).toBe(401);
    expect(await rig.fake.deliver(update("forged"), { secret: `${SECRET}x` })).toBe(401);
    expect(await rig.fake.deliver(update("no header"), { secret: null })).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(rig.received).toHaveLength(0);
  });

  it("answers 400 for a body that is not JSON, 405 for GET, 404 elsewhere, and /health still works", async () => {
    const url = rig.fake.webhook!.url;
    const bad = await fetch(url, { method: "POST", headers: { "x-telegram-bot-api-secret-token": SECRET }, body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(`http://127.0.0.1:${rig.port}/other`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${rig.port}/health`)).status).toBe(200);
    expect(rig.received).toHaveLength(0);
  });

  it("answers 503 after stop (Telegram retries later) and processes nothing", async () => {
    await rig.adapter.stop();
    expect(await rig.fake.deliver(update("too late"))).toBe(503);
    expect(rig.received).toHaveLength(0);
  });
});

describe("telegram webhook: graceful stop", () => {
  it("stop() waits for a slow update in flight, and Telegram got its 200", async () => {
    const slow = await createRig({ mode: "webhook", secret: SECRET });
    let done = false;
    await slow.adapter.start(async () => {
      await new Promise((r) => setTimeout(r, 200));
      done = true;
    });
    const status = slow.fake.deliver(update("slow"));
    await until(() => slow.adapter.inFlight() > 0);
    await slow.adapter.stop();
    expect(done).toBe(true);
    expect(await status).toBe(200);
    await slow.close();
  });
});

describe("telegram webhook against the official Bot API", () => {
  it("an http:// URL or another port is refused at start with a configuration error naming TELEGRAM_WEBHOOK_URL", async () => {
    const strict = await createRig({ mode: "webhook", secret: SECRET, fake: { localServer: false } });
    try {
      const error = await strict.adapter.start(async () => undefined).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ name: "ChannelStartError", reason: "configuration" });
      expect(String((error as Error).message)).toMatch(/TELEGRAM_WEBHOOK_URL.*HTTPS URL must be provided/);
      expect(strict.fake.webhook).toBeUndefined();
    } finally {
      await strict.close();
    }
  });
});
