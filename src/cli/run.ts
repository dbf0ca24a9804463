/**
 * `seller-bot start` and `seller-bot chat`: run the bot on the configured channels, or on
 * the local terminal.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createApp, type App } from "../app.ts";
import { createConsoleAdapter } from "../channels/console/index.ts";
import { ChannelStartError } from "../core/errors.ts";
import { createInboxReplayJob } from "../core/inbox.ts";
import { createMaintenanceJob } from "../core/maintenance.ts";
import type { Job } from "../core/context.ts";
import type { Adapter } from "../core/types.ts";
import { createDashboardRoute } from "../features/dashboard/web/mount.ts";
import { createHttpServer, type HttpServer } from "../http/server.ts";
import { createLogger } from "../logger.ts";
import { warmInBackground } from "../understanding/wiring.ts";
import { usageError, type CliIO } from "./io.ts";
import type { LocalRole } from "./define.ts";
import { configFor, prepareLocalUser } from "./local-user.ts";

/** Options of `chat` (and of `start` when it opens the local chat). */
export interface ChatOptions {
  /** Who the terminal speaks for (default a seller). */
  as?: LocalRole;
  /** Add the sample data even on a database that is not new (`--samples`). */
  samples?: boolean;
}

/**
 * `seller-bot chat`: the terminal channel against the same core and database, with the
 * outbox worker and the jobs, so that what the bot queues for console users (a broadcast,
 * an event reminder) is delivered here. Piped, it delivers what is due before it exits.
 */
export async function runChat(io: CliIO, options: ChatOptions = {}): Promise<number> {
  const role = options.as ?? { kind: "seller" };
  const config = configFor(io.config, role);
  const interactive = Boolean(io.stdin.isTTY);
  // In a terminal only warnings and errors, as short lines, unless LOG_LEVEL asks for more.
  const log = createLogger(config, undefined, { level: interactive && !config.logLevelSet ? "warn" : undefined });
  const app = await createApp(config, { seedIfNew: true, samples: options.samples, syncAdmins: true, log });
  if (app.seeded) io.stderr.write("Sample partners and events added (marked as samples; \"seller-bot samples remove\" takes them out).\n");
  const jobs = config.jobsEnabled ? [createMaintenanceJob(app.deps), ...app.features.flatMap((f) => f.jobs ?? [])] : [];
  try {
    const local = await prepareLocalUser(app, role);
    if (!local.ok) return usageError(io, local.error);
    const terminal = createConsoleAdapter({ input: io.stdin, output: io.stdout, interactive, userId: local.externalId, banner: `Local chat as ${local.label} (console:${local.externalId}).` });
    app.deps.messenger.register(terminal);
    for (const job of jobs) job.start();
    await terminal.start(app.core.handle);
    warmInBackground(app.understander, (err) => app.deps.log.error({ err }, "understanding could not be built"));
    await terminal.done;
    await app.core.idle();
    await deliverDue(jobs);
    return 0;
  } finally {
    // Jobs before the database: they finish what they are doing, then it closes.
    await Promise.allSettled(jobs.map((j) => j.stop()));
    await app.close();
  }
}

/** Sends what the outbox has due now (a broadcast queued by the last lines) before the chat ends. */
async function deliverDue(jobs: Job[]): Promise<void> {
  const worker = jobs.find((j): j is Job & { drain(): Promise<number> } => typeof (j as { drain?: unknown }).drain === "function");
  // Bounded: a row that keeps failing is retried later, by the next start.
  for (let round = 0; worker && round < 20; round++) if ((await worker.drain()) === 0) break;
}

/** Whether `start` has a channel to serve; without one it opens the local chat. */
function hasChannel(config: CliIO["config"]): boolean {
  return Boolean(config.telegram) || config.whatsapp.enabled || Boolean(config.whatsappCloud);
}

/** `seller-bot start`: every configured channel, the jobs and the HTTP server, until a signal. */
export async function runStart(io: CliIO, options: { samples?: boolean } = {}): Promise<number> {
  const { config } = io;
  if (!hasChannel(config)) {
    io.stderr.write("No channel configured (TELEGRAM_BOT_TOKEN, WHATSAPP_ENABLED, WHATSAPP_CLOUD_TOKEN): opening the local chat on the embedded database.\n");
    return runChat(io, { samples: options.samples });
  }
  // Listen for signals before anything slow starts: a Ctrl-C while the database or WhatsApp
  // connects must still stop (release the number's lease, close the database).
  const signals = listenForStopSignals();
  try {
    // Real people write here: sample data only when asked for (`--samples`).
    const app = await Promise.race([createApp(config, { samples: options.samples, syncAdmins: true }), signals.first.then(() => undefined)]);
    if (!app) return 0; // stopped while the database was opening
    if (app.seeded) io.stderr.write("Sample partners and events added (--samples); \"seller-bot samples remove\" takes them out.\n");
    return await serve(app, io, signals);
  } finally {
    signals.cancel();
  }
}

/** How long `/health` waits for the database before it answers 503. */
const HEALTH_DATABASE_MS = 1000;
/** Of SHUTDOWN_TIMEOUT_MS, what the exit after a stuck shutdown may take (bin/seller-bot.js forces it). */
const EXIT_MARGIN_MS = 700;

/**
 * Runs until the first signal, then stops within SHUTDOWN_TIMEOUT_MS: intake first, then
 * the work in flight, the jobs, the HTTP server, the database. A start that fails (a
 * rejected token, an unreachable API) stops what did start and returns its exit code.
 */
async function serve(app: App, io: CliIO, signals: StopSignals): Promise<number> {
  const { config, log } = app.deps;
  let state: "starting" | "running" | "stopping" = "starting";
  const adapters: Adapter[] = [];
  const http = createHttpServer(async () => {
    const database = await app.deps.database.ping(HEALTH_DATABASE_MS);
    return { ok: state === "running" && database, state, database: database ? "ok" : "unreachable", channels: adapters.map((a) => a.channel) };
  });
  http.route(createDashboardRoute(app.deps));
  const inbox = createInboxReplayJob(() => app.core.replay(), log);
  const jobs = config.jobsEnabled ? [createMaintenanceJob(app.deps), ...app.features.flatMap((f) => f.jobs ?? [])] : [];
  let code = 0;
  try {
    // Listen first: in webhook mode Telegram may deliver as soon as setWebhook returns.
    const port = await http.listen(config.httpPort, config.httpHost);
    const stopped = await Promise.race([startChannels(app, http, adapters).then(() => false), signals.first.then(() => true)]);
    if (!stopped) {
      inbox.start();
      for (const job of jobs) job.start();
      state = "running";
      log.info({ channels: adapters.map((a) => a.channel), host: config.httpHost, port, jobs: jobs.map((j) => j.name) }, "seller-bot started");
      // Build the understanding now, so the first seller's message does not wait for it.
      warmInBackground(app.understander, (err) => log.error({ err }, "understanding could not be built"));
      await signals.first;
    }
  } catch (error) {
    code = startFailure(error, io);
    log.error({ err: error }, "seller-bot could not start");
  }
  state = "stopping";
  log.info("stopping: no new updates, finishing what is in flight");
  const shutdown = async () => {
    // Order matters: stop intake, let handlers and jobs finish, then close the database.
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await inbox.stop();
    await app.core.stop();
    await Promise.allSettled(jobs.map((j) => j.stop()));
    await http.close();
    await app.close();
  };
  // The process must be gone within SHUTDOWN_TIMEOUT_MS: leave room for the exit itself.
  const graceMs = Math.max(100, config.shutdownTimeoutMs - EXIT_MARGIN_MS);
  const finished = await Promise.race([
    shutdown().then(() => true, (err: unknown) => (log.error({ err }, "error while stopping"), true)),
    sleep(graceMs, undefined, { ref: false }).then(() => false),
    signals.second.then(() => false),
  ]);
  if (!finished) {
    // A silent database or a stuck request: exit anyway. Messages not yet handled stay in
    // the inbox and are handled after the next start.
    log.error({ timeoutMs: config.shutdownTimeoutMs }, "stopping took too long; exiting anyway (unhandled messages stay in the inbox)");
    return code || 1;
  }
  log.info("stopped");
  return code;
}

/** One line for the operator, and an exit code a supervisor can act on. */
function startFailure(error: unknown, io: CliIO): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ChannelStartError) {
    io.stderr.write(`seller-bot start: ${message}\n`);
    return error.reason === "configuration" ? EXIT_CONFIG : EXIT_UNAVAILABLE;
  }
  if ((error as NodeJS.ErrnoException)?.code === "EADDRINUSE" || (error as NodeJS.ErrnoException)?.code === "EADDRNOTAVAIL") {
    io.stderr.write(`seller-bot start: cannot listen on ${io.config.httpHost}:${io.config.httpPort} (HTTP_HOST, HTTP_PORT): ${message}\n`);
    return EXIT_CONFIG;
  }
  io.stderr.write(`seller-bot start failed: ${message}\n`);
  return 1;
}

/** sysexits.h: a configuration problem (78), a service that is not available (69). */
const EXIT_CONFIG = 78;
const EXIT_UNAVAILABLE = 69;

interface StopSignals {
  /** The first SIGINT/SIGTERM: stop gracefully. */
  first: Promise<void>;
  /** A second one: stop now. */
  second: Promise<void>;
  /** Gives the signals back to Node. */
  cancel(): void;
}

function listenForStopSignals(): StopSignals {
  let first: () => void = () => undefined;
  let second: () => void = () => undefined;
  const signals: StopSignals = {
    first: new Promise<void>((r) => (first = r)),
    second: new Promise<void>((r) => (second = r)),
    cancel: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
  let count = 0;
  function onSignal() {
    count += 1;
    (count === 1 ? first : second)();
  }
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return signals;
}

/** Starts each configured channel; `started` collects them as they come up (shutdown stops those). */
async function startChannels(app: App, http: HttpServer, started: Adapter[]): Promise<void> {
  const { config } = app.deps;
  const adapters: Array<() => Promise<Adapter>> = [];
  // Each channel's code is loaded only when it is configured: Baileys alone is about 60 MB
  // of resident memory, grammy 20 (docs/decisions/1105-compiled-build.md).
  if (config.telegram) adapters.push(async () => (await import("../channels/telegram/index.ts")).createTelegramChannel(app.deps, http));
  if (config.whatsapp.enabled) adapters.push(async () => (await import("../channels/whatsapp/index.ts")).createWhatsAppChannel(app.deps));
  if (config.whatsappCloud) adapters.push(async () => (await import("../channels/whatsapp-cloud/index.ts")).createWhatsAppCloudChannel(app.deps, http));
  for (const create of adapters) {
    const adapter = await create();
    app.deps.messenger.register(adapter);
    started.push(adapter);
    // A platform that redelivers is acknowledged once the message is stored; others wait for the answer.
    await adapter.start(adapter.redelivers ? app.core.accept : app.core.handle);
  }
}
