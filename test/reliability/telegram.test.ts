/**
 * Telegram tells us an update arrived only once the core stored it: in polling mode the
 * offset moves past an update only after the handler resolved for it (an update it could
 * not store is fetched again); in webhook mode the answer is 200 only then (503 otherwise,
 * so Telegram sends it again). The webhook also refuses bodies over 1 MB.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/core/types.ts";
import { createRig, until, type TelegramTestRig } from "../telegram/harness.ts";

let rig: TelegramTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const text = (m: InboundMessage) => (m.content as { text: string }).text;

describe("telegram polling acknowledges only what was stored", () => {
  it("keeps an update at Telegram until the handler has stored it", async () => {
    rig = await createRig();
    let release: () => void = () => undefined;
    const storing = new Promise<void>((r) => (release = r));
    const r = rig;
    await r.adapter.start(async (m) => {
      r.received.push(m);
      await storing;
    });
    r.fake.pushText("first", { from: { id: 61001 } });
    await until(() => r.received.length === 1);
    // Fetched but not stored: Telegram still holds it (a crash now would get it again).
    await new Promise((res) => setTimeout(res, 100));
    expect(r.fake.pending()).toBe(1);
    release();
    await until(() => r.fake.pending() === 0);
  });

  it("fetches an update again when storing it failed, and loses nothing after it", async () => {
    rig = await createRig();
    const r = rig;
    let failures = 1;
    await r.adapter.start(async (m) => {
      if (text(m) === "flaky" && failures-- > 0) throw new Error("database did not answer");
      r.received.push(m);
    });
    r.fake.pushText("before", { from: { id: 61002 } });
    await until(() => r.received.length === 1);
    r.fake.pushText("flaky", { from: { id: 61002 } });
    r.fake.pushText("after", { from: { id: 61003 } });
    await until(() => r.received.some((m) => text(m) === "flaky"), 10_000);
    await until(() => r.fake.pending() === 0, 10_000);
    expect(r.received.map(text).filter((t) => t === "flaky")).toHaveLength(1);
    expect(r.received.map(text)).toContain("after");
  });
});

describe("telegram webhook acknowledges only what was stored", () => {
  const update = (id: number, t: string) => ({ message: { message_id: id, date: 1_700_000_000, chat: { id: 62001, type: "private" }, from: { id: 62001, is_bot: false, first_name: "W" }, text: t } });

  it("answers 503 when the update could not be stored (Telegram sends it again), 200 once it is", async () => {
    rig = await createRig({ mode: "webhook", secret: "s3cret" });
    const r = rig;
    let failures = 1;
    await r.adapter.start(async (m) => {
      if (failures-- > 0) throw new Error("database did not answer");
      r.received.push(m);
    });
    const full = r.fake.makeUpdate(update(1, "hello"));
    expect(await r.fake.deliver(full)).toBe(503);
    expect(await r.fake.deliver(full)).toBe(200);
    expect(r.received.map(text)).toEqual(["hello"]);
  });

  it("refuses a body over 1 MB with 413 and handles nothing; a normal one still works", async () => {
    rig = await createRig({ mode: "webhook", secret: "s3cret" });
    const r = rig;
    await r.adapter.start(async (m) => void r.received.push(m));
    const big = JSON.stringify({ ...r.fake.makeUpdate(update(2, "x")), padding: "x".repeat(2 * 1024 * 1024) });
    const status = await post(r.fake.webhook!.url, big, "s3cret");
    expect(status).toBe(413);
    expect(await r.fake.deliver(update(3, "small"))).toBe(200);
    expect(r.received.map(text)).toEqual(["small"]);
  });

  it("refuses a wrong secret with 401, and a large body unread whatever its secret", async () => {
    rig = await createRig({ mode: "webhook", secret: "s3cret" });
    const r = rig;
    await r.adapter.start(async (m) => void r.received.push(m));
    expect(await post(r.fake.webhook!.url, JSON.stringify(r.fake.makeUpdate(update(4, "forged"))), "wrong")).toBe(401);
    expect(await post(r.fake.webhook!.url, "x".repeat(2 * 1024 * 1024), "wrong")).toBe(413);
    expect(r.received).toHaveLength(0);
  });
});

/** POSTs a body and returns the status, even when the server answers before reading it all. */
function post(url: string, body: string, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret, "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (error) => (String(error).includes("EPIPE") || String(error).includes("ECONNRESET") ? undefined : reject(error)));
    req.end(body);
  });
}
