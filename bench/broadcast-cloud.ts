/**
 * `npm run bench:broadcast -- --channel whatsapp-cloud`: sustained WhatsApp Cloud API
 * delivery. N subscribed Cloud API users (half inside the 24-hour window: free text; half
 * outside: the approved template), the fake Graph API (test/support/fake-graph-api.ts)
 * answering in ~50 ms and posting signed "sent"/"delivered" receipts back to the webhook,
 * and the real `seller-bot start` as the worker process at WHATSAPP_CLOUD_RATE_PER_SECOND.
 * Run 1 measures the rate (first to last send) against the configured one (target ≥ 90 %),
 * lost 0 and receipts recorded. Run 2 repeats the events issue's SIGKILL run on this
 * channel: the worker is killed with SIGKILL `--kills` times and restarted; nobody is lost
 * and duplicates stay within the sends in flight at the kills.
 *
 *   npx tsx bench/broadcast-cloud.ts [--recipients 10000] [--rate 60] [--kills 3] [--no-receipts] [--database sqlite|postgres://…]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { dropPostgresSchema, openDatabase, type Database } from "../src/db/client.ts";
import { createBroadcast } from "../src/features/broadcasts/api.ts";
import { startFakeGraphApi, type FakeGraphApi } from "../test/support/fake-graph-api.ts";
import { exited, until } from "./broadcast-harness.ts";

const { values } = parseArgs({
  options: {
    recipients: { type: "string", default: "10000" },
    rate: { type: "string", default: "60" },
    latency: { type: "string", default: "50" },
    kills: { type: "string", default: "3" },
    database: { type: "string", default: "sqlite" },
    "no-reliability": { type: "boolean", default: false },
    /** Without the fake's receipts (to see what recording them costs the worker). */
    "no-receipts": { type: "boolean", default: false },
    channel: { type: "string" },
  },
});
const recipients = Number(values.recipients);
const rate = Number(values.rate);
const PROJECT = resolve(import.meta.dirname, "..");
const TOKEN = "bench-cloud-token";
const PHONE_ID = "106540352242922";
const SECRET = "bench-app-secret-0123";

const waId = (i: number) => String(923100000000 + i);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function openBenchDatabase(kind: string, tag: string): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  if (kind === "sqlite") {
    const dir = resolve(PROJECT, ".tmp/bench-broadcast");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `cloud-${tag}-${process.pid}-${Date.now()}.db`);
    const database = await openDatabase({ url: `file:${file}`, migrate: true });
    return { database, url: `file:${file}`, drop: async () => ["", "-wal", "-shm"].forEach((s) => rmSync(file + s, { force: true })) };
  }
  const schema = `bench_cloud_${tag}_${process.pid}`;
  const database = await openDatabase({ url: kind, schema, migrate: true, poolSize: 5 });
  return { database, url: `${kind}${kind.includes("?") ? "&" : "?"}schema=${schema}`, drop: () => dropPostgresSchema(kind, schema) };
}

/** N users with a Cloud API identity and a subscription; even ones wrote an hour ago (inside the window). */
async function seed(database: Database, fake: FakeGraphApi, n: number): Promise<void> {
  const db = database.prisma;
  const langs = ["en", "ur", "ur-Latn"];
  for (let start = 0; start < n; start += 1000) {
    const size = Math.min(1000, n - start);
    await db.user.createMany({ data: Array.from({ length: size }, (_, i) => ({ language: langs[(start + i) % 3]!, displayName: `bench${start + i}` })) });
  }
  const users = await db.user.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  const wrote = new Date(Date.now() - 3600_000);
  for (let start = 0; start < users.length; start += 1000) {
    const chunk = users.slice(start, start + 1000);
    await db.channelIdentity.createMany({ data: chunk.map((u, i) => ({ userId: u.id, channel: "whatsapp-cloud", externalId: waId(start + i) })) });
    await db.subscription.createMany({ data: chunk.map((u) => ({ userId: u.id, topic: "events", status: "subscribed", source: "bench" })) });
    const inside = chunk.map((_, i) => start + i).filter((i) => i % 2 === 0);
    await db.whatsAppCloudWindow.createMany({ data: inside.map((i) => ({ waId: waId(i), lastInboundAt: wrote })) });
    for (const i of inside) fake.wrote(waId(i), wrote);
  }
}

interface Run {
  fake: FakeGraphApi;
  database: Database;
  startWorker(): ChildProcess;
  announce(): Promise<number>;
  rows(): Promise<Array<{ chatId: string; status: string; deliveredAt: Date | null }>>;
  close(): Promise<void>;
}

async function prepare(tag: string): Promise<Run> {
  const port = await freePort();
  const fake = await startFakeGraphApi({
    token: TOKEN,
    phoneNumberId: PHONE_ID,
    latencyMs: Number(values.latency),
    webhook: { url: `http://127.0.0.1:${port}/webhooks/whatsapp`, appSecret: SECRET },
    autoStatuses: !values["no-receipts"],
  });
  const { database, url, drop } = await openBenchDatabase(values.database!, tag);
  await seed(database, fake, recipients);
  const app = await createApp(loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" }), { database, log: pino({ level: "silent" }) });
  const workers = new Set<ChildProcess>();
  let broadcastId = 0;
  return {
    fake,
    database,
    startWorker() {
      const child = spawn(process.execPath, [join(PROJECT, "bin/seller-bot.js"), "start"], {
        cwd: PROJECT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          DATABASE_URL: url,
          HTTP_PORT: String(port),
          LOG_LEVEL: "error",
          WHATSAPP_CLOUD_TOKEN: TOKEN,
          WHATSAPP_CLOUD_PHONE_NUMBER_ID: PHONE_ID,
          WHATSAPP_CLOUD_APP_SECRET: SECRET,
          WHATSAPP_CLOUD_VERIFY_TOKEN: "bench-verify-token",
          WHATSAPP_CLOUD_API_ROOT: fake.root,
          WHATSAPP_CLOUD_RATE_PER_SECOND: String(rate),
          // Short enough that a killed worker's rows come back quickly, long enough for the
          // per-user gap (WHATSAPP_CLOUD_USER_GAP_MS must stay under half the lease).
          OUTBOX_LEASE_MS: "15000",
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      workers.add(child);
      child.once("exit", () => workers.delete(child));
      return child;
    },
    async announce() {
      ({ broadcastId } = await createBroadcast(app.deps, {
        senderUserId: null,
        audience: { kind: "all" },
        topic: "events",
        content: {
          text: { en: "Export summit, Sialkot, 20 Dec 10:00", ur: "ایکسپورٹ سمٹ، سیالکوٹ، 20 دسمبر 10 بجے", "ur-Latn": "Export summit, Sialkot, 20 Dec 10 baje" },
          template: {
            purpose: "event-announcement",
            parameters: { title: { en: "Export summit", ur: "ایکسپورٹ سمٹ" }, date: { en: "20 Dec 10:00", ur: "20 دسمبر 10 بجے" }, venue: { en: "Sialkot Chamber of Commerce" } },
          },
        },
      }));
      return broadcastId;
    },
    rows: () => database.prisma.outboxMessage.findMany({ where: { broadcastId }, select: { chatId: true, status: true, deliveredAt: true } }),
    async close() {
      for (const w of workers) w.kill("SIGKILL");
      await fake.close();
      await app.close();
      await database.close();
      await drop();
    },
  };
}

const okSends = (fake: FakeGraphApi) => fake.requests.filter((r) => r.ok);
function byRecipient(fake: FakeGraphApi): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of okSends(fake)) m.set(r.to, (m.get(r.to) ?? 0) + 1);
  return m;
}

async function rateRun(): Promise<boolean> {
  const run = await prepare("rate");
  try {
    const cpu = process.cpuUsage();
    const worker = run.startWorker();
    await new Promise((r) => setTimeout(r, 1500));
    await run.announce();
    let last = 0;
    await until(() => {
      const n = okSends(run.fake).length;
      if (Math.floor(n / 1000) !== Math.floor(last / 1000)) process.stderr.write(`  ${n}/${recipients} accepted by the fake Graph API\n`);
      last = n;
      return n >= recipients;
    }, 200);
    const sends = okSends(run.fake);
    const first = sends[0]!.at;
    const lastAt = sends.at(-1)!.at;
    const achieved = (sends.length - 1) / ((lastAt - first) / 1000);
    let peak = 0;
    for (let i = 0, j = 0; i < sends.length; i++) {
      while (sends[i]!.at - sends[j]!.at >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    await until(async () => (await run.rows()).every((r) => r.status === "sent" && (values["no-receipts"] || r.deliveredAt !== null)), 250, 120_000).catch(() => undefined);
    const rows = await run.rows();
    const delivered = byRecipient(run.fake);
    const lost = rows.filter((r) => !delivered.has(r.chatId)).length;
    const duplicates = [...delivered.values()].reduce((s, n) => s + n - 1, 0);
    const templates = sends.filter((s) => s.type === "template").length;
    const result = {
      channel: "whatsapp-cloud",
      recipients,
      configuredRate: rate,
      achievedRate: Number(achieved.toFixed(2)),
      ofConfigured: `${((achieved / rate) * 100).toFixed(1)}%`,
      peakPerSecond: peak,
      seconds: Number(((lastAt - first) / 1000).toFixed(1)),
      apiLatencyMs: Number(values.latency),
      freeText: sends.length - templates,
      templates,
      lost,
      duplicates,
      rowsSent: rows.filter((r) => r.status === "sent").length,
      receiptsDelivered: rows.filter((r) => r.deliveredAt !== null).length,
      benchCpuMs: Math.round((process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000),
      target: "≥ 90% of configured, lost 0",
      pass: achieved >= 0.9 * rate && lost === 0 && duplicates === 0,
    };
    console.log(JSON.stringify(result));
    worker.kill("SIGTERM");
    await exited(worker);
    return result.pass;
  } finally {
    await run.close();
  }
}

async function killRun(kills: number): Promise<boolean> {
  const run = await prepare("kill");
  const started = Date.now();
  try {
    let worker = run.startWorker();
    await new Promise((r) => setTimeout(r, 1500));
    await run.announce();
    const at: Array<{ atAccepted: number; unconfirmed: number }> = [];
    for (let k = 1; k <= kills; k++) {
      await until(() => okSends(run.fake).length >= Math.floor((recipients * k) / (kills + 1)), 20);
      worker.kill("SIGKILL");
      await exited(worker);
      // Requests the dead worker left open are still answered by the fake (Meta would deliver them).
      await new Promise((r) => setTimeout(r, Number(values.latency) * 3));
      const delivered = byRecipient(run.fake);
      const rows = await run.rows();
      const unconfirmed = rows.filter((r) => r.status !== "sent" && delivered.has(r.chatId)).length;
      at.push({ atAccepted: okSends(run.fake).length, unconfirmed });
      process.stderr.write(`  kill ${k}: accepted ${okSends(run.fake).length}, accepted but not marked sent ${unconfirmed}\n`);
      worker = run.startWorker();
    }
    await until(async () => (await run.rows()).every((r) => r.status !== "pending" && r.status !== "sending"), 250);
    worker.kill("SIGTERM");
    await exited(worker);
    const rows = await run.rows();
    const delivered = byRecipient(run.fake);
    const lost = rows.filter((r) => !delivered.has(r.chatId)).length;
    const duplicated = [...delivered.values()].reduce((s, n) => s + n - 1, 0);
    const inFlightAtKills = at.reduce((s, k) => s + k.unconfirmed, 0);
    const result = {
      channel: "whatsapp-cloud",
      run: "SIGKILL",
      recipients,
      delivered: delivered.size,
      lost,
      duplicated,
      inFlightAtKills,
      kills: at,
      failed: rows.filter((r) => r.status === "failed").length,
      seconds: Math.round((Date.now() - started) / 1000),
      pass: lost === 0 && duplicated <= inFlightAtKills,
    };
    console.log(JSON.stringify(result));
    return result.pass;
  } finally {
    await run.close();
  }
}

let pass = await rateRun();
if (!values["no-reliability"]) pass = (await killRun(Number(values.kills))) && pass;
if (!pass) process.exitCode = 1;
