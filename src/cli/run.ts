/**
 * `seller-bot start` and `seller-bot chat`: run the bot on the configured channels, or on
 * the local terminal.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createApp, type App } from "../app.ts";
import { createConsoleAdapter } from "../channels/console/index.ts";
import { createTelegramChannel } from "../channels/telegram/index.ts";
import { createWhatsAppChannel } from "../channels/whatsapp/index.ts";
import { ChannelStartError } from "../core/errors.ts";
import { createInboxReplayJob } from "../core/inbox.ts";
import { createMaintenanceJob } from "../core/maintenance.ts";
import type { Adapter } from "../core/types.ts";
import { createDashboardRoute } from "../features/dashboard/web/mount.ts";
import { createHttpServer, type HttpServer } from "../http/server.ts";
import { warmInBackground } from "../understanding/wiring.ts";
import type { CliIO } from "./io.ts";

/** `seller-bot chat`: the terminal channel against the same core and database. */
export async function runChat(_argv: string[], io: CliIO): Promise<number> {
  const app = await createApp(io.config, { seedIfNew: true });
  const interactive = Boolean(io.stdin.isTTY);
  if (app.seeded) io.stderr.write("New embedded database: sample partners and events added (marked as samples).\n");
  const console = createConsoleAdapter({ input: io.stdin, output: io.stdout, interactive });
  app.deps.messenger.register(console);
  await console.start(app.core.handle);
  warmInBackground(app.understander, (err) => app.deps.log.error({ err }, "understanding could not be built"));
  await console.done;
  await app.core.idle();
  await app.close();
  return 0;
}

/** `seller-bot start`: every configured channel, the jobs and the HTTP server, until a signal. */
export async function runStart(argv: string[], io: CliIO): Promise<number> {
  const { config } = io;
  // Listen for signals before anything slow starts: a Ctrl-C while the database or WhatsApp
  // connects must still stop (release the number's lease, close the database).
  const signals = listenForStopSignals();
  try {
    const app = await Promise.race([createApp(config, { seedIfNew: true }), signals.first.then(() => undefined)]);
    if (!app) return 0; // stopped while the database was opening
    if (!config.telegram && !config.whatsapp.enabled) {
      signals.cancel();
      io.stderr.write("No channel configured (TELEGRAM_BOT_TOKEN, WHATSAPP_ENABLED): opening the local chat on the embedded database.\n");
      await app.close();
      return runChat(argv, io);
    }
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
  if (config.telegram) adapters.push(() => createTelegramChannel(app.deps, http));
  if (config.whatsapp.enabled) adapters.push(() => createWhatsAppChannel(app.deps));
  for (const create of adapters) {
    const adapter = await create();
    app.deps.messenger.register(adapter);
    started.push(adapter);
    // A platform that redelivers is acknowledged once the message is stored; others wait for the answer.
    await adapter.start(adapter.redelivers ? app.core.accept : app.core.handle);
  }
}
