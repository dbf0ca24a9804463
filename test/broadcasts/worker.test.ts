/**
 * The outbox worker on the real test database with memory channels: delivery in the
 * recipient's language with the stop footer, opt-out at send time, blocked marking,
 * rate-limit waits, network backoff, pause, abandoned claims, and (PostgreSQL) two
 * workers sharing rows without double sends.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryAdapter, type MemoryAdapter } from "../../src/channels/memory/index.ts";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ChannelError } from "../../src/core/errors.ts";
import { openDatabase } from "../../src/db/client.ts";
import { broadcastStatus, createBroadcast, enqueueDirect } from "../../src/features/broadcasts/api.ts";
import { controlBroadcast } from "../../src/features/broadcasts/service.ts";
import { optOut } from "../../src/features/broadcasts/subscriptions.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { createPacer, paceSettings, type Grant } from "../../src/features/broadcasts/pacer.ts";
import { createMemoryLimitStore, type LimitStore } from "../../src/core/limits/store.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { testProvider } from "../support/database.ts";
import { content, makeUser } from "./helpers.ts";
import pino from "pino";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(env: Record<string, string> = {}) {
  t = await createTestApp({ channel: "telegram", capabilities: { buttons: true }, env: { TELEGRAM_RATE_PER_SECOND: "30", ...env } });
  return t;
}

const all = { senderUserId: null, audience: { kind: "all" as const }, topic: "events" as const, content: content() };

describe("outbox worker", () => {
  it("sends each row once in the recipient's language, ending with how to stop, and marks it sent", async () => {
    const { app, adapter } = await setup();
    const db = app.deps.db;
    await makeUser(db, { externalId: "c1", language: "en" });
    await makeUser(db, { externalId: "c2", language: "ur" });
    await makeUser(db, { externalId: "c3", language: "ur-Latn" });
    const choices = [{ data: "ev:rsvp:1:going", label: { en: "Going", ur: "آؤں گا", "ur-Latn": "Aaunga" } }];
    const { broadcastId } = await createBroadcast(app.deps, { ...all, content: { ...content(), choices } });
    const worker = createOutboxWorker(app.deps, { pollMs: 20 });
    expect(await worker.drain()).toBe(3);
    const byChat = new Map(adapter.sent.map((s) => [s.chatId, s.message]));
    expect(byChat.get("c1")!.text).toMatch(/^EN .*\n\nReply STOP/s);
    expect(byChat.get("c2")!.text).toContain("UR ");
    expect(byChat.get("c2")!.text).toContain(app.deps.i18n.t("ur")("broadcasts:footer.private"));
    expect(byChat.get("c3")!.choices?.[0]?.label).toBe("Aaunga");
    expect(adapter.sent).toHaveLength(3);
    expect(await broadcastStatus(db, broadcastId)).toEqual({ queued: 0, sent: 3, failed: 0, blocked: 0, optedOut: 0, cancelled: 0, state: "done", delivered: 0, read: 0, skipped: 0, limited: 0 });
    // Nothing left: a second run sends nothing.
    expect(await worker.drain()).toBe(0);
    expect(adapter.sent).toHaveLength(3);
  });

  it("skips a user who opted out after the broadcast was queued", async () => {
    const { app, adapter } = await setup();
    const u = await makeUser(app.deps.db, { externalId: "c1" });
    await makeUser(app.deps.db, { externalId: "c2" });
    const { broadcastId } = await createBroadcast(app.deps, all);
    await optOut(app.deps.db, u.id, new Date());
    await createOutboxWorker(app.deps).drain();
    expect(adapter.sent.map((s) => s.chatId)).toEqual(["c2"]);
    expect((await broadcastStatus(app.deps.db, broadcastId)).optedOut).toBe(1);
  });

  it("marks a user who blocked the bot and never retries them", async () => {
    const { app, adapter } = await setup();
    await makeUser(app.deps.db, { externalId: "c1" });
    await makeUser(app.deps.db, { externalId: "c2" });
    let attempts = 0;
    adapter.failWith = (chatId) => {
      if (chatId === "c1") {
        attempts += 1;
        throw new ChannelError("blocked", "Forbidden: bot was blocked by the user");
      }
    };
    const { broadcastId } = await createBroadcast(app.deps, all);
    const worker = createOutboxWorker(app.deps);
    await worker.drain();
    await worker.drain();
    expect(attempts).toBe(1);
    expect((await app.deps.db.channelIdentity.findFirstOrThrow({ where: { externalId: "c1" } })).blockedAt).toBeInstanceOf(Date);
    expect(await broadcastStatus(app.deps.db, broadcastId)).toMatchObject({ sent: 1, blocked: 1, queued: 0 });
  });

  it("waits retry_after on a rate limit and pauses the whole channel, then delivers", async () => {
    const { app, adapter } = await setup();
    await makeUser(app.deps.db, { externalId: "c1" });
    await makeUser(app.deps.db, { externalId: "c2" });
    const { broadcastId } = await createBroadcast(app.deps, all);
    let now = Date.now();
    const start = now;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const sentAt: number[] = [];
    let limited = 0;
    adapter.failWith = () => {
      if (limited++ === 0) throw new ChannelError("rate-limited", "Too Many Requests: retry after 2", 2000);
      sentAt.push(now);
    };
    await createOutboxWorker(app.deps, { clock, concurrency: 1 }).drain();
    expect(await broadcastStatus(app.deps.db, broadcastId)).toMatchObject({ sent: 2, queued: 0, failed: 0 });
    expect(adapter.sent).toHaveLength(2);
    // Both sends, the retried one and the other chat's, waited for the pause.
    expect(sentAt.every((at) => at >= start + 2000)).toBe(true);
    const rows = await app.deps.db.outboxMessage.findMany({ where: { broadcastId } });
    expect(rows.map((r) => r.attempts)).toEqual([0, 0]);
  });

  it("backs off exponentially on network errors and fails after the last attempt", async () => {
    const { app, adapter } = await setup();
    await makeUser(app.deps.db, { externalId: "c1" });
    adapter.failWith = () => {
      throw new ChannelError("network", "502 Bad Gateway");
    };
    const { broadcastId } = await createBroadcast(app.deps, all);
    let now = Date.now();
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const worker = createOutboxWorker(app.deps, { clock, maxAttempts: 4, backoffBaseMs: 1000, random: () => 0.5 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await worker.drain();
      const row = await app.deps.db.outboxMessage.findFirstOrThrow({ where: { broadcastId } });
      if (row.status === "pending") {
        delays.push(row.notBefore.getTime() - now);
        now = row.notBefore.getTime();
      }
    }
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(await broadcastStatus(app.deps.db, broadcastId)).toMatchObject({ failed: 1, queued: 0 });
  });

  it("fails a not-found chat at once", async () => {
    const { app, adapter } = await setup();
    await makeUser(app.deps.db, { externalId: "c1" });
    adapter.failWith = () => {
      throw new ChannelError("not-found", "Bad Request: chat not found");
    };
    const { broadcastId } = await createBroadcast(app.deps, all);
    await createOutboxWorker(app.deps).drain();
    expect(await broadcastStatus(app.deps.db, broadcastId)).toMatchObject({ failed: 1, queued: 0 });
  });

  it("leaves a paused broadcast alone until it is resumed", async () => {
    const { app, adapter } = await setup();
    await makeUser(app.deps.db, { externalId: "c1" });
    const { broadcastId } = await createBroadcast(app.deps, all);
    await controlBroadcast(app.deps.db, broadcastId, "pause");
    const worker = createOutboxWorker(app.deps);
    await worker.drain();
    expect(adapter.sent).toHaveLength(0);
    await controlBroadcast(app.deps.db, broadcastId, "resume");
    await worker.drain();
    expect(adapter.sent).toHaveLength(1);
  });

  it("claims again a row a dead worker left 'sending' once the lease is over, not before", async () => {
    const { app, adapter } = await setup();
    await makeUser(app.deps.db, { externalId: "c1" });
    const { broadcastId } = await createBroadcast(app.deps, all);
    await app.deps.db.outboxMessage.updateMany({ where: { broadcastId }, data: { status: "sending", claimedAt: new Date(Date.now() - 5000), claimedBy: "dead" } });
    await createOutboxWorker(app.deps, { leaseMs: 60_000 }).drain();
    expect(adapter.sent).toHaveLength(0);
    await createOutboxWorker(app.deps, { leaseMs: 2000 }).drain();
    expect(adapter.sent).toHaveLength(1);
  });

  it("delivers direct messages not before their time, once per dedupe key", async () => {
    const { app, adapter } = await setup();
    const u = await makeUser(app.deps.db, { externalId: "c1" });
    const later = new Date(Date.now() + 3600_000);
    const item = { userId: u.id, kind: "reminder" as const, dedupeKey: "r1", content: content("tomorrow"), notBefore: later };
    await enqueueDirect(app.deps, [item]);
    await enqueueDirect(app.deps, [item]);
    await createOutboxWorker(app.deps).drain();
    expect(adapter.sent).toHaveLength(0);
    const clock = { now: () => later.getTime() + 1000, sleep: async () => undefined };
    await createOutboxWorker(app.deps, { clock }).drain();
    expect(adapter.sent).toHaveLength(1);
    expect(adapter.sent[0]!.message.text).toContain("EN tomorrow");
  });

  it("a row waiting for its chat's second goes back to the queue instead of outliving its lease: no wasted permit, no second claim", async () => {
    const { app, adapter } = await setup();
    const db = app.deps.db;
    const u = await makeUser(db, { externalId: "c1" });
    const now = new Date();
    for (let i = 0; i < 4; i++) await enqueueDirect(app.deps, [{ userId: u.id, kind: "reminder", dedupeKey: `gap${i}`, content: content(`n${i}`), notBefore: now }]);
    // Two workers, as two processes, on one store (the shared one on PostgreSQL): every row
    // is due at once, but the chat takes one a second, longer than a quarter of the lease.
    const shared = app.deps.database.limits ?? createMemoryLimitStore();
    let chatTakes = 0;
    const store: LimitStore = {
      shared: shared.shared,
      hold: (limit, ms) => shared.hold(limit, ms),
      async take(limits, marks) {
        const result = await shared.take(limits, marks);
        if (result.taken && limits.some((l) => l.key === "telegram:chat:c1")) chatTakes += 1;
        return result;
      },
    };
    const leaseMs = 1200;
    const sentAt: number[] = [];
    adapter.failWith = () => void sentAt.push(Date.now());
    // Every grant counts as fresh here: on a busy machine a stale one is given back (and its
    // chat permit unused) by design, which is not what this test is about.
    const pacer = () => ({ ...createPacer(paceSettings(app.deps.config), undefined, undefined, store), fresh: async (_c: string, _id: string, _g: boolean, g: Grant) => g });
    const workers = [0, 1].map(() => createOutboxWorker(app.deps, { pollMs: 20, leaseMs, pacer: pacer() }));
    let outlived = 0;
    const watch = setInterval(() => {
      void db.outboxMessage.count({ where: { status: "sending", claimedAt: { lt: new Date(Date.now() - leaseMs) } } }).then((n) => void (outlived += n));
    }, 25);
    try {
      for (const w of workers) w.start();
      for (let i = 0; i < 400 && (await db.outboxMessage.count({ where: { status: { not: "sent" } } })) > 0; i++) await new Promise((r) => setTimeout(r, 25));
    } finally {
      clearInterval(watch);
      await Promise.all(workers.map((w) => w.stop()));
    }
    expect(adapter.sent.map((s) => s.message.text.slice(0, 5)).sort()).toEqual(["EN n0", "EN n1", "EN n2", "EN n3"]);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(1000);
    // Every permit of the chat was used by a send: none taken by a row that had to give it up.
    expect(chatTakes).toBe(4);
    // No claim outlived its lease (which would let the other worker claim the row again).
    expect(outlived).toBe(0);
    const rows = await db.outboxMessage.findMany({ where: { userId: u.id } });
    expect(rows.every((r) => r.status === "sent" && r.attempts === 0)).toBe(true);
  }, 20_000);

  it("runs as a job: picks up rows queued while it runs, and stops cleanly", async () => {
    const { app, adapter } = await setup();
    await makeUser(app.deps.db, { externalId: "c1" });
    const worker = createOutboxWorker(app.deps, { pollMs: 30 });
    worker.start();
    await createBroadcast(app.deps, all);
    const deadline = Date.now() + 3000;
    while (adapter.sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    expect(adapter.sent).toHaveLength(1);
  });

  it.runIf(testProvider === "sqlite")("two workers on one SQLite file (two connections, as two processes) share 120 rows without a double send", async () => {
    const { app } = await setup({ OUTBOX_CONCURRENCY: "8" });
    const db = app.deps.db;
    const users = await Promise.all(Array.from({ length: 120 }, () => db.user.create({ data: {} })));
    await db.channelIdentity.createMany({ data: users.map((u, i) => ({ userId: u.id, channel: "telegram", externalId: `sq${i}` })) });
    await db.subscription.createMany({ data: users.map((u) => ({ userId: u.id, topic: "events", status: "subscribed" })) });
    const { broadcastId } = await createBroadcast(app.deps, all);

    const second = await openDatabase({ url: t!.database.url, migrate: false });
    const config = loadConfig({ DATABASE_URL: t!.database.url, LOG_LEVEL: "silent", TELEGRAM_RATE_PER_SECOND: "30" });
    const app2 = await createApp(config, { database: second, log: pino({ level: "silent" }) });
    const adapters: MemoryAdapter[] = [createMemoryAdapter("telegram"), createMemoryAdapter("telegram")];
    for (const a of adapters) a.failWith = () => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    const deps1 = { ...app.deps, messenger: withAdapter(app.deps, adapters[0]!) };
    const deps2 = { ...app2.deps, messenger: withAdapter(app2.deps, adapters[1]!) };
    try {
      const w1 = createOutboxWorker(deps1, { pollMs: 5, concurrency: 8 });
      const w2 = createOutboxWorker(deps2, { pollMs: 5, concurrency: 8 });
      w1.start();
      w2.start();
      const done = async () => (await broadcastStatus(db, broadcastId)).queued === 0;
      for (let i = 0; i < 2000 && !(await done()); i++) await new Promise((r) => setTimeout(r, 10));
      await Promise.all([w1.stop(), w2.stop()]);
      const sent = adapters.flatMap((a) => a.sent.map((x) => x.chatId));
      expect(new Set(sent).size).toBe(120);
      expect(sent).toHaveLength(120);
      expect(adapters[0]!.sent.length).toBeGreaterThan(0);
      expect(adapters[1]!.sent.length).toBeGreaterThan(0);
      expect(await broadcastStatus(db, broadcastId)).toMatchObject({ sent: 120, queued: 0 });
    } finally {
      await app2.close();
      await second.close();
    }
  }, 60_000);

  it.runIf(testProvider === "postgres")("two workers on PostgreSQL share 300 rows without a double send", async () => {
    const { app } = await setup({ OUTBOX_CONCURRENCY: "8" });
    const db = app.deps.db;
    const users = await Promise.all(Array.from({ length: 300 }, () => db.user.create({ data: {} })));
    await db.channelIdentity.createMany({ data: users.map((u, i) => ({ userId: u.id, channel: "telegram", externalId: `pg${i}` })) });
    await db.subscription.createMany({ data: users.map((u) => ({ userId: u.id, topic: "events", status: "subscribed" })) });
    const { broadcastId } = await createBroadcast(app.deps, all);

    const second = await openDatabase({ url: t!.database.url, migrate: false, poolSize: 5 });
    const config = loadConfig({ DATABASE_URL: "postgres://test", LOG_LEVEL: "silent", TELEGRAM_RATE_PER_SECOND: "30" });
    const app2 = await createApp(config, { database: second, log: pino({ level: "silent" }) });
    const adapters: MemoryAdapter[] = [createMemoryAdapter("telegram"), createMemoryAdapter("telegram")];
    // Each send takes a little while so both workers are busy at once.
    for (const a of adapters) a.failWith = () => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    const deps1 = { ...app.deps, messenger: withAdapter(app.deps, adapters[0]!) };
    const deps2 = { ...app2.deps, messenger: withAdapter(app2.deps, adapters[1]!) };
    try {
      const w1 = createOutboxWorker(deps1, { pollMs: 20, concurrency: 8 });
      const w2 = createOutboxWorker(deps2, { pollMs: 20, concurrency: 8 });
      await Promise.all([w1.drain(), w2.drain()]);
      const sent = adapters.flatMap((a) => a.sent.map((s) => s.chatId));
      expect(sent).toHaveLength(300);
      expect(new Set(sent).size).toBe(300);
      expect(adapters[0]!.sent.length).toBeGreaterThan(0);
      expect(adapters[1]!.sent.length).toBeGreaterThan(0);
      expect(await broadcastStatus(db, broadcastId)).toMatchObject({ sent: 300, queued: 0 });
    } finally {
      await app2.close();
      await second.close();
    }
  }, 60_000);
});

import { createMessenger } from "../../src/core/messenger.ts";
import type { AppDeps } from "../../src/core/context.ts";

/** A messenger of its own for one worker, with one memory adapter registered. */
function withAdapter(deps: AppDeps, adapter: MemoryAdapter) {
  const messenger = createMessenger({ hot: deps.database.hot, i18n: deps.i18n });
  messenger.register(adapter);
  return messenger;
}
