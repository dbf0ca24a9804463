/**
 * WhatsApp refuses a message after the send returned: Baileys resolves `sendMessage`, then
 * reports the server's error ack as a `messages.update` with status ERROR. The fake socket
 * does the same (`refuseNext`). These tests go through the real outbox worker on the test
 * database: the row's outcome, the blocked mark, and the retry of transient refusals.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { toAckError } from "../../src/channels/whatsapp/acks.ts";
import { createWhatsAppChannel, type WhatsAppAdapter } from "../../src/channels/whatsapp/index.ts";
import { loadConfig } from "../../src/config.ts";
import { ChannelError } from "../../src/core/errors.ts";
import { enqueueDirect } from "../../src/features/broadcasts/api.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { makeUser } from "../broadcasts/helpers.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { fakeSockets, FIXTURE_NOW, memoryLog, storeLinkedSession, until } from "./support.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const JID = "923001112222@s.whatsapp.net";

async function setup(): Promise<{ app: App; adapter: WhatsAppAdapter; sockets: ReturnType<typeof fakeSockets>; database: TestDatabase; lines: Array<Record<string, unknown>> }> {
  const database = await createTestDatabase();
  await storeLinkedSession(database.prisma);
  const { log, lines } = memoryLog("warn");
  const config = loadConfig({
    DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test",
    WHATSAPP_ENABLED: "true",
    WHATSAPP_MIN_GAP_MS: "0",
    WHATSAPP_MAX_GAP_MS: "0",
  });
  const app = await createApp(config, { database, log, now: () => FIXTURE_NOW });
  const sockets = fakeSockets();
  const adapter = await createWhatsAppChannel(app.deps, { socketFactory: sockets.factory, openTimeoutMs: 1000, ackWindowMs: 200 });
  await adapter.start(app.core.handle);
  cleanups.push(async () => {
    await adapter.stop();
    await app.close();
    await database.cleanup();
  });
  return { app, adapter, sockets, database, lines };
}

async function queueOne(app: App, dedupeKey: string) {
  const user = await makeUser(app.deps.db, { channel: "whatsapp", externalId: JID });
  await enqueueDirect(app.deps, [{ userId: user.id, kind: "notice", dedupeKey, content: { text: { en: "Summit moved to 21 Dec", ur: "UR", "ur-Latn": "RU" } } }]);
  return user;
}

describe("WhatsApp refusals reported after the send (messages.update, status ERROR)", () => {
  it("403: the outbox row is blocked, not sent, and the person is marked blocked", async () => {
    const { app, sockets } = await setup();
    const user = await queueOne(app, "r403");
    sockets.latest.refuseNext(JID, "403");
    await createOutboxWorker(app.deps).drain();
    const row = await app.deps.db.outboxMessage.findFirstOrThrow({ where: { userId: user.id } });
    expect(row).toMatchObject({ status: "blocked", sentAt: null });
    expect(row.lastError).toContain("403");
    const identity = await app.deps.db.channelIdentity.findFirstOrThrow({ where: { userId: user.id } });
    expect(identity.blockedAt).not.toBeNull();
  });

  it("479 (stale device session on the server): the row goes back to pending with an attempt counted", async () => {
    const { app, sockets } = await setup();
    const user = await queueOne(app, "r479");
    sockets.latest.refuseNext(JID, "479");
    const worker = createOutboxWorker(app.deps, { backoffBaseMs: 60_000 });
    await worker.drain();
    const row = await app.deps.db.outboxMessage.findFirstOrThrow({ where: { userId: user.id } });
    expect(row).toMatchObject({ status: "pending", attempts: 1, sentAt: null });
    expect(row.lastError).toContain("479");
    expect((await app.deps.db.channelIdentity.findFirstOrThrow({ where: { userId: user.id } })).blockedAt).toBeNull();
  });

  it("429 from the server: the row waits (rate limited) and the person is not blamed", async () => {
    const { app, sockets } = await setup();
    const user = await queueOne(app, "r429");
    sockets.latest.refuseNext(JID, "429");
    const before = Date.now();
    const worker = createOutboxWorker(app.deps, { pollMs: 20 });
    // drain() would wait the pause out: run the worker until the refusal is recorded.
    worker.start();
    await until(async () => (await app.deps.db.outboxMessage.findFirstOrThrow({ where: { userId: user.id } })).lastError !== null, 5000);
    await worker.stop();
    const row = await app.deps.db.outboxMessage.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.status).toBe("pending");
    expect(row.notBefore.getTime()).toBeGreaterThanOrEqual(before + 50_000);
    expect(row.lastError).toContain("429");
    expect((await app.deps.db.channelIdentity.findFirstOrThrow({ where: { userId: user.id } })).blockedAt).toBeNull();
  });

  it("463 (this number may not start chats): failed, not retried, the person not marked", async () => {
    const { app, sockets } = await setup();
    const user = await queueOne(app, "r463");
    sockets.latest.refuseNext(JID, "463");
    await createOutboxWorker(app.deps).drain();
    const row = await app.deps.db.outboxMessage.findFirstOrThrow({ where: { userId: user.id } });
    expect(row).toMatchObject({ status: "failed", attempts: 0, sentAt: null });
    expect(row.lastError).toMatch(/restricted/);
    expect((await app.deps.db.channelIdentity.findFirstOrThrow({ where: { userId: user.id } })).blockedAt).toBeNull();
  });

  it("an accepted send is sent (the delivery receipt ends the wait) and nothing is left watched", async () => {
    const { app, sockets, adapter } = await setup();
    const user = await queueOne(app, "ok");
    await createOutboxWorker(app.deps).drain();
    expect(await app.deps.db.outboxMessage.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({ status: "sent" });
    expect(sockets.latest.texts(JID)[0]).toContain("Summit moved to 21 Dec");
    expect(sockets.latest.sent).toHaveLength(1);
  });

  it("a refusal after the wait: logged, and a 403 marks the person blocked through the core", async () => {
    const { app, sockets, adapter, lines } = await setup();
    const user = await makeUser(app.deps.db, { channel: "whatsapp", externalId: JID });
    sockets.latest.refuseNext(JID, "403", { later: true });
    await expect(adapter.send(JID, { text: "hello" })).resolves.toMatchObject({ messageId: expect.any(String) });
    sockets.latest.lateRefusals.shift()!();
    await until(async () => (await app.deps.db.channelIdentity.findFirstOrThrow({ where: { userId: user.id } })).blockedAt !== null);
    expect(lines.some((l) => l.msg === "WhatsApp refused a message after it was sent" && l.kind === "blocked")).toBe(true);
  });
});

describe("ack error codes", () => {
  const cases: Array<[string, ChannelError["kind"], boolean]> = [
    ["403", "blocked", false],
    ["404", "not-found", false],
    ["429", "rate-limited", true],
    ["463", "bad-request", false],
    ["479", "network", true],
    ["500", "network", true],
    ["491", "bad-request", false],
  ];
  for (const [code, kind, retryable] of cases) {
    it(`${code} → ${kind}`, () => {
      const error = toAckError(code);
      expect(error).toBeInstanceOf(ChannelError);
      expect(error).toMatchObject({ kind, retryable });
      expect(error.message).toContain(code);
    });
  }
});


describe("the ack watch", () => {
  const refusal = (id: string, code: string) => [{ key: { remoteJid: JID, fromMe: true, id }, update: { status: 0, messageStubParameters: [code] } }];

  it("a refusal that arrives before the send's id is watched still fails that send", async () => {
    const { createAckWatch } = await import("../../src/channels/whatsapp/acks.ts");
    const watch = createAckWatch({ windowMs: 50, onLate: () => undefined });
    watch.onUpdates(refusal("EARLY1", "429"));
    watch.expect(["EARLY1"]);
    await expect(watch.settle(["EARLY1"])).resolves.toMatchObject({ kind: "rate-limited" });
    expect(watch.watching).toBe(0);
  });

  it("a late refusal goes to onLate once; an update for someone else's message is ignored", async () => {
    const { createAckWatch } = await import("../../src/channels/whatsapp/acks.ts");
    const late: string[] = [];
    const watch = createAckWatch({ windowMs: 10, onLate: (r) => void late.push(`${r.messageId}:${r.error.kind}`) });
    watch.expect(["M1"]);
    await expect(watch.settle(["M1"])).resolves.toBeUndefined();
    watch.onUpdates(refusal("M1", "403"));
    watch.onUpdates(refusal("M1", "403"));
    watch.onUpdates([{ key: { remoteJid: JID, fromMe: false, id: "M2" }, update: { status: 0, messageStubParameters: ["403"] } }]);
    expect(late).toEqual(["M1:blocked"]);
  });
});
