/**
 * PostgreSQL that accepts connections but answers nothing (a TCP proxy that goes silent,
 * test/support/tcp-proxy.ts): nothing waits for ever. A message sent during the stall is
 * answered after it, the same user's next message too (their queue is not stuck), one that
 * cannot be stored before its deadline gets the apology, the outbox worker resumes, the
 * health ping says no within its time, and a CLI command fails instead of hanging.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { createMemoryAdapter, type MemoryAdapter } from "../../src/channels/memory/index.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { createBroadcast } from "../../src/features/broadcasts/api.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { content, makeUser } from "../broadcasts/helpers.ts";
import { runCliInProcess } from "../support/cli.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database.ts";
import { createTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

interface Rig {
  base: TestDatabase;
  proxy: TcpProxy;
  database: Database;
  app: App;
  adapter: MemoryAdapter;
  send(text: string, userId: string): Promise<string[]>;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

/** An app whose database connections go through the proxy, with short timeouts. */
async function rig(env: Record<string, string> = {}, channel: "console" | "telegram" = "console"): Promise<Rig> {
  const base = await createTestDatabase();
  cleanups.push(() => base.cleanup());
  const proxy = await createTcpProxy({ host: "127.0.0.1", port: Number(new URL(base.url).port || 5432) });
  cleanups.push(() => proxy.close());
  const database = await openDatabase({ url: proxy.url(base.url), migrate: false, poolSize: 4, timeouts: { connectMs: 300, statementMs: 300 } });
  cleanups.push(() => Promise.race([database.close(), new Promise((r) => setTimeout(r, 1000))]));
  const config = loadConfig({ DATABASE_URL: "postgres://test", LOG_LEVEL: "silent", MESSAGE_DEADLINE_MS: "6000", INBOX_LEASE_MS: "20000", TELEGRAM_RATE_PER_SECOND: "30", ...env });
  const app = await createApp(config, { database, log: pino({ level: "silent" }) });
  cleanups.push(() => app.core.stop());
  const adapter = createMemoryAdapter(channel, { buttons: channel === "telegram" });
  app.deps.messenger.register(adapter);
  await adapter.start(app.core.handle);
  return {
    base,
    proxy,
    database,
    app,
    adapter,
    async send(text, userId) {
      const before = adapter.sent.length;
      await adapter.receive({ channel, messageId: `m-${userId}-${Math.random()}`, chat: { id: userId, kind: "private" }, sender: { id: userId }, sentAt: new Date(), content: { kind: "text", text } });
      return adapter.sent.slice(before).filter((s) => s.chatId === userId).map((s) => s.message.text);
    },
  };
}

const stallFor = (proxy: TcpProxy, ms: number) => {
  proxy.stall();
  return new Promise<void>((r) => setTimeout(() => (proxy.resume(), r()), ms));
};

describe.skipIf(testProvider !== "postgres")("PostgreSQL silent behind a proxy", () => {
  it("answers a message sent during the stall once it is over, and the user's next one too", async () => {
    const r = await rig();
    expect((await r.send("hello", "stall-user"))[0]).toMatch(/Assalam-o-Alaikum/);
    const over = stallFor(r.proxy, 1500);
    const during = r.send("menu", "stall-user");
    await over;
    const replies = await during;
    expect(replies.join("\n")).toMatch(/Assalam-o-Alaikum|menu/i);
    expect(replies.join("\n")).not.toContain(r.app.deps.i18n.t("en")("common:error.apology"));
    expect((await r.send("hello", "stall-user"))[0]).toMatch(/Assalam-o-Alaikum/);
  });

  it("gives the apology, not silence, when the database stays silent past the message's deadline", async () => {
    const r = await rig({ MESSAGE_DEADLINE_MS: "800", INBOX_LEASE_MS: "5000" });
    r.proxy.stall();
    const started = Date.now();
    const replies = await r.send("hello", "stall-loser");
    expect(Date.now() - started).toBeLessThan(4000);
    expect(replies).toEqual([r.app.deps.i18n.t("en")("common:error.apology")]);
    r.proxy.resume();
  });

  it("the health ping says no within its time while the database is silent, yes after", async () => {
    const r = await rig();
    expect(await r.database.ping(1000)).toBe(true);
    r.proxy.stall();
    const started = Date.now();
    expect(await r.database.ping(1000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
    r.proxy.resume();
    // Connections that were silent are dropped by their timeouts; new ones work.
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) ok = await r.database.ping(1000);
    expect(ok).toBe(true);
  });

  it("the outbox worker resumes after a stall in the middle of a broadcast and finishes every row", async () => {
    const r = await rig({ TELEGRAM_RATE_PER_SECOND: "10" }, "telegram");
    const db = r.base.prisma;
    for (let i = 0; i < 20; i++) await makeUser(db, { externalId: `out-${i}` });
    const worker = createOutboxWorker(r.app.deps, { pollMs: 50, leaseMs: 2000, concurrency: 4 });
    worker.start();
    cleanups.push(() => worker.stop());
    await createBroadcast({ ...r.app.deps, db }, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: content() });
    while (r.adapter.sent.length < 4) await new Promise((res) => setTimeout(res, 20));
    await stallFor(r.proxy, 1500);
    const statuses = async () => (await db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } })).map((g) => `${g.status}:${g._count._all}`);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await statuses()).join() !== "sent:20") await new Promise((res) => setTimeout(res, 200));
    expect(await statuses()).toEqual(["sent:20"]);
    expect(new Set(r.adapter.sent.map((s) => s.chatId)).size).toBe(20);
  });

  it("`partners export` fails with one line instead of hanging", async () => {
    const r = await rig();
    r.proxy.stall();
    const started = Date.now();
    const { code, stderr } = await runCliInProcess(r.proxy.url(r.base.url), ["partners", "export"]);
    expect(code).not.toBe(0);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
