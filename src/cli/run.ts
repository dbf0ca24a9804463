/**
 * `seller-bot start` and `seller-bot chat`: run the bot on the configured channels, or on
 * the local terminal.
 */
import { createApp, type App } from "../app.ts";
import { createConsoleAdapter } from "../channels/console/index.ts";
import { createTelegramChannel } from "../channels/telegram/index.ts";
import { createWhatsAppChannel } from "../channels/whatsapp/index.ts";
import { createMaintenanceJob } from "../core/maintenance.ts";
import type { Adapter } from "../core/types.ts";
import { createDashboardRoute } from "../features/dashboard/web/mount.ts";
import { createHttpServer, type HttpServer } from "../http/server.ts";
import type { CliIO } from "./io.ts";

/** `seller-bot chat`: the terminal channel against the same core and database. */
export async function runChat(_argv: string[], io: CliIO): Promise<number> {
  const app = await createApp(io.config, { seedIfNew: true });
  const interactive = Boolean(io.stdin.isTTY);
  if (app.seeded) io.stderr.write("New embedded database: sample partners and events added (marked as samples).\n");
  const console = createConsoleAdapter({ input: io.stdin, output: io.stdout, interactive });
  app.deps.messenger.register(console);
  await console.start(app.core.handle);
  await console.done;
  await app.core.idle();
  await app.close();
  return 0;
}

/** `seller-bot start`: every configured channel, the jobs and the HTTP server, until a signal. */
export async function runStart(argv: string[], io: CliIO): Promise<number> {
  const { config } = io;
  // Listen for signals before anything slow starts: a Ctrl-C while WhatsApp connects must
  // still stop cleanly (release the number's lease, close the database).
  const stopSignal = waitForStopSignal();
  const app = await createApp(config, { seedIfNew: true });
  const log = app.deps.log;
  const http = createHttpServer(async () => ({ ok: await databaseReachable(app), channels: adapters.map((a) => a.channel) }));
  http.route(createDashboardRoute(app.deps));
  if (!config.telegram && !config.whatsapp.enabled) {
    stopSignal.cancel();
    io.stderr.write("No channel configured (TELEGRAM_BOT_TOKEN, WHATSAPP_ENABLED): opening the local chat on the embedded database.\n");
    await app.close();
    return runChat(argv, io);
  }
  // Listen first: in webhook mode Telegram may deliver as soon as setWebhook returns.
  const port = await http.listen(config.httpPort);
  const adapters = await startChannels(app, http);
  const jobs = config.jobsEnabled ? [createMaintenanceJob(app.deps), ...app.features.flatMap((f) => f.jobs ?? [])] : [];
  for (const job of jobs) job.start();
  log.info({ channels: adapters.map((a) => a.channel), port, jobs: jobs.map((j) => j.name) }, "seller-bot started");

  await stopSignal.promise;
  log.info("stopping: no new updates, finishing what is in flight");
  // Order matters: stop intake, let handlers and jobs finish, then close the database.
  await Promise.allSettled(adapters.map((a) => a.stop()));
  await app.core.idle();
  await Promise.allSettled(jobs.map((j) => j.stop()));
  await http.close();
  await app.close();
  log.info("stopped");
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM; `cancel` gives the signals back. */
function waitForStopSignal(): { promise: Promise<void>; cancel(): void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  const onSignal = () => resolve();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    promise,
    cancel: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

async function startChannels(app: App, http: HttpServer): Promise<Adapter[]> {
  const { config } = app.deps;
  const adapters: Adapter[] = [];
  if (config.telegram) adapters.push(await createTelegramChannel(app.deps, http));
  if (config.whatsapp.enabled) adapters.push(await createWhatsAppChannel(app.deps));
  for (const adapter of adapters) {
    app.deps.messenger.register(adapter);
    await adapter.start(app.core.handle);
  }
  return adapters;
}

async function databaseReachable(app: App): Promise<boolean> {
  await app.deps.db.$queryRawUnsafe("SELECT 1");
  return true;
}
