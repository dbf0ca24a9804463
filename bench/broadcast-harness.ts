/**
 * Shared by the broadcast benchmarks and the reliability test: a database with N
 * subscribed Telegram users, a fake Telegram Bot API (test/support/fake-bot-api.ts) in
 * this process, and the real `seller-bot start` as a separate worker process that the
 * harness can SIGKILL and restart. The broadcast is queued here, as `events announce`
 * would from another process; the running worker finds it by polling the outbox.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import pino from "pino";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { dropPostgresSchema, openDatabase, type Database } from "../src/db/client.ts";
import { createBroadcast } from "../src/features/broadcasts/api.ts";
import { createFakeBotApi, type FakeBotApi, type FakeBotApiOptions } from "../test/support/fake-bot-api.ts";

/** Harness settings. */
export interface HarnessOptions {
  recipients: number;
  /** sqlite (a temp file) or a postgres:// URL (a temp schema in it). */
  database: "sqlite" | string;
  fake: FakeBotApiOptions;
  /** Extra environment for the worker process (rate, lease, concurrency). */
  env: Record<string, string>;
  /** A directory for the workers' logs (`worker-N.log`, their stderr); without one they go to this process's stderr. */
  logDir?: string;
}

/** A prepared run. */
export interface Harness {
  fake: FakeBotApi;
  app: App;
  chatIds: string[];
  broadcastId?: number;
  /** The database URL the worker gets (a temp file, or the URL with `?schema=` of a temp schema). */
  url: string;
  /** Starts `seller-bot start`; `env` adds to or overrides the harness's environment. */
  startWorker(env?: Record<string, string>): ChildProcess;
  /** Queues the broadcast to everyone (as an admin at the CLI). */
  announce(): Promise<number>;
  /** Outbox rows by status. */
  statusCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const PROJECT = resolve(import.meta.dirname, "..");

/** Sets everything up; nothing is sent until `startWorker` and `announce`. */
export async function createHarness(options: HarnessOptions): Promise<Harness> {
  const { database, url, drop } = await openBenchDatabase(options.database);
  await seed(database, options.recipients);
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" });
  const app = await createApp(config, { database, log: pino({ level: "silent" }) });
  const chatIds = Array.from({ length: options.recipients }, (_, i) => String(1_000_000 + i));
  // The seeded recipients have pressed Start: the fake refuses chats it never saw.
  const fake = await createFakeBotApi({ recordParams: false, knownChats: chatIds, ...options.fake });
  const workers = new Set<ChildProcess>();
  const harness: Harness = {
    fake,
    app,
    chatIds,
    url,
    startWorker(extra = {}) {
      const log = logFile(options.logDir);
      const child = spawn(process.execPath, [join(PROJECT, "bin/seller-bot.js"), "start"], {
        cwd: PROJECT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          DATABASE_URL: url,
          TELEGRAM_BOT_TOKEN: fake.token,
          TELEGRAM_API_ROOT: fake.url,
          TELEGRAM_MODE: "polling",
          HTTP_PORT: "0",
          LOG_LEVEL: "error",
          ...options.env,
          ...extra,
        },
        stdio: ["ignore", "ignore", log],
      });
      // The child has its own copy of the descriptor.
      if (typeof log === "number") closeSync(log);
      workers.add(child);
      child.once("exit", () => workers.delete(child));
      return child;
    },
    async announce() {
      const { broadcastId } = await createBroadcast(app.deps, {
        senderUserId: null,
        audience: { kind: "all" },
        topic: "events",
        content: { text: { en: "Export summit, Sialkot, 20 Dec 10:00", ur: "ایکسپورٹ سمٹ، سیالکوٹ، 20 دسمبر 10 بجے", "ur-Latn": "Export summit, Sialkot, 20 Dec 10 baje" } },
      });
      harness.broadcastId = broadcastId;
      return broadcastId;
    },
    async statusCounts() {
      const groups = await app.deps.db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
      return Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
    },
    async close() {
      for (const w of workers) w.kill("SIGKILL");
      await fake.close();
      await app.close();
      await database.close();
      await drop();
    },
  };
  return harness;
}

let workerNumber = 0;
/** A file descriptor for the next worker's log in `dir`, or "inherit". */
function logFile(dir: string | undefined): number | "inherit" {
  if (!dir) return "inherit";
  mkdirSync(dir, { recursive: true });
  return openSync(join(dir, `worker-${++workerNumber}.log`), "w");
}

async function openBenchDatabase(kind: string): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  if (kind === "sqlite") {
    const dir = resolve(PROJECT, ".tmp/bench-broadcast");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `run-${process.pid}-${Date.now()}.db`);
    const url = `file:${file}`;
    const database = await openDatabase({ url, migrate: true });
    return { database, url, drop: async () => ["", "-wal", "-shm"].forEach((s) => rmSync(file + s, { force: true })) };
  }
  const schema = `bench_broadcast_${process.pid}`;
  const database = await openDatabase({ url: kind, schema, migrate: true, poolSize: 5 });
  const url = `${kind}${kind.includes("?") ? "&" : "?"}schema=${schema}`;
  return {
    database,
    url,
    drop: () => dropPostgresSchema(kind, schema),
  };
}

/** N users, each with a Telegram identity (chat id 1000000+i) and an events subscription. */
async function seed(database: Database, n: number): Promise<void> {
  const db = database.prisma;
  for (let start = 0; start < n; start += 1000) {
    const size = Math.min(1000, n - start);
    const langs = ["en", "ur", "ur-Latn"];
    await db.user.createMany({ data: Array.from({ length: size }, (_, i) => ({ language: langs[(start + i) % 3]!, displayName: `bench${start + i}` })) });
  }
  const users = await db.user.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  for (let start = 0; start < users.length; start += 1000) {
    const chunk = users.slice(start, start + 1000);
    await db.channelIdentity.createMany({ data: chunk.map((u, i) => ({ userId: u.id, channel: "telegram", externalId: String(1_000_000 + start + i) })) });
    await db.subscription.createMany({ data: chunk.map((u) => ({ userId: u.id, topic: "events", status: "subscribed", source: "bench" })) });
  }
}

/** Resolves when `check` is true (polling every `everyMs`). */
export async function until(check: () => boolean | Promise<boolean>, everyMs = 100, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Successful sendMessage calls per chat. */
export function deliveriesByChat(fake: FakeBotApi): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of fake.calls) if (c.ok && c.method === "sendMessage" && c.chatId) out.set(c.chatId, (out.get(c.chatId) ?? 0) + 1);
  return out;
}

/** Waits for a child to exit (after a kill). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", () => r()));
}
