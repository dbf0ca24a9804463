/**
 * `npm run bench:broadcast`: sustained Telegram delivery. 10,000 subscribed recipients, a
 * fake Bot API answering in ~50 ms (40–60), the real `seller-bot start` as the worker
 * process at TELEGRAM_RATE_PER_SECOND (default 25). Prints the achieved rate over the run
 * (first to last send) against the configured one; target ≥ 90 %. Then runs the
 * reliability harness (bench/broadcast-reliability.ts) unless --no-reliability.
 *
 *   npm run bench:broadcast
 *   npx tsx bench/broadcast.ts --recipients 1000 --rate 25 --no-reliability
 *   npx tsx bench/broadcast.ts --database postgresql://postgres@127.0.0.1:5432/test
 *   npm run bench:broadcast -- --channel whatsapp-cloud [--rate 60] (bench/broadcast-cloud.ts)
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { createHarness, deliveriesByChat, until } from "./broadcast-harness.ts";

// `--channel whatsapp-cloud`: the same measurement on the WhatsApp Cloud API (bench/broadcast-cloud.ts).
const channelAt = process.argv.indexOf("--channel");
if (channelAt > 0 && process.argv[channelAt + 1] === "whatsapp-cloud") {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/broadcast-cloud.ts", ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  options: {
    recipients: { type: "string", default: "10000" },
    rate: { type: "string", default: "25" },
    latency: { type: "string", default: "50" },
    database: { type: "string", default: "sqlite" },
    "no-reliability": { type: "boolean", default: false },
    channel: { type: "string", default: "telegram" },
  },
});
const recipients = Number(values.recipients);
const rate = Number(values.rate);
const latency = Number(values.latency);

const h = await createHarness({
  recipients,
  database: values.database!,
  fake: { latencyMs: { min: latency * 0.8, max: latency * 1.2 }, rateLimit: { globalPerSecond: 30, perChatPerSecond: 1 } },
  env: { TELEGRAM_RATE_PER_SECOND: String(rate) },
});
try {
  const worker = h.startWorker();
  // The worker is up once it polls for updates; then queue the broadcast, as `events announce` would.
  await until(() => h.fake.calls.some((c) => c.method === "getUpdates"), 50);
  const queuedAt = Date.now();
  await h.announce();
  const queueMs = Date.now() - queuedAt;
  let last = 0;
  await until(() => {
    const ok = h.fake.calls.filter((c) => c.ok && c.method === "sendMessage").length;
    if (Math.floor(ok / 1000) !== Math.floor(last / 1000)) process.stderr.write(`  ${ok}/${recipients} delivered\n`);
    last = ok;
    return ok >= recipients;
  }, 200);
  const sends = h.fake.calls.filter((c) => c.ok && c.method === "sendMessage");
  const first = sends[0]!.at;
  const lastAt = sends.at(-1)!.at;
  const achieved = (sends.length - 1) / ((lastAt - first) / 1000);
  const rateLimited = h.fake.calls.filter((c) => c.method === "sendMessage" && c.errorCode === 429).length;
  // Largest number of sends that started within any one-second window (Telegram's view).
  let peak = 0;
  for (let i = 0, j = 0; i < sends.length; i++) {
    while (sends[i]!.at - sends[j]!.at >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  await until(async () => ((await h.statusCounts()).sent ?? 0) >= recipients, 200, 30_000);
  const duplicates = [...deliveriesByChat(h.fake).values()].reduce((s, n) => s + n - 1, 0);
  const result = {
    recipients,
    configuredRate: rate,
    achievedRate: Number(achieved.toFixed(2)),
    ofConfigured: `${((achieved / rate) * 100).toFixed(1)}%`,
    peakPerSecond: peak,
    seconds: Number(((lastAt - first) / 1000).toFixed(1)),
    apiLatencyMs: latency,
    rateLimited429: rateLimited,
    duplicates,
    queueMs,
    target: "≥ 90% of configured",
    pass: achieved >= 0.9 * rate && duplicates === 0,
  };
  console.log(JSON.stringify(result));
  worker.kill("SIGTERM");
  if (!result.pass) process.exitCode = 1;
} finally {
  await h.close();
}

if (!values["no-reliability"]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/broadcast-reliability.ts", "--recipients", String(recipients), "--database", values.database!], { stdio: "inherit" });
  if (r.status) process.exitCode = r.status;
}
