/**
 * `seller-bot <command>`: the command-line entry. Commands load lazily so `ask` does not
 * pay for Telegram or WhatsApp code. Errors reach the user as one line, never a stack trace.
 */
import { ConfigError, loadConfig } from "../config.ts";
import { PendingMigrationsError } from "../db/client.ts";
import { MigrationChangedError } from "../db/migrate.ts";
import type { CliIO, Command } from "./io.ts";

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: "run the bot on every configured channel (local chat when none is)", load: async () => (await import("./run.ts")).runStart },
  chat: { summary: "chat with the bot in this terminal (one message per line when piped)", load: async () => (await import("./run.ts")).runChat },
  db: { summary: "db migrate: apply pending database migrations", load: async () => (await import("./db.ts")).runDb },
  ask: { summary: "ask [--json] [TEXT]: answer a question as the bot would", load: async () => (await import("../features/faq/cli.ts")).runAsk },
  partners: { summary: "partners import FILE.csv | export | nearest --json (--lat N --lon N | --place TEXT)", load: async () => (await import("../features/partners/cli.ts")).runPartners },
  progress: { summary: "progress export [--partner ID] [--format csv]", load: async () => (await import("../features/progress/cli.ts")).runProgress },
  events: { summary: "events create FILE.json | announce EVENT_ID [--audience …] --json", load: async () => (await import("../features/events/cli.ts")).runEvents },
  broadcasts: { summary: "broadcasts status ID --json | pause ID | resume ID | cancel ID", load: async () => (await import("../features/broadcasts/cli.ts")).runBroadcasts },
  dashboard: { summary: "dashboard link --partner NAME | --admin: a one-time login URL for the dashboard", load: async () => (await import("../features/dashboard/cli.ts")).runDashboard },
  whatsapp: { summary: "whatsapp login [--pairing-code PHONE]", load: async () => (await import("../channels/whatsapp/cli.ts")).runWhatsApp },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: seller-bot <command> [options]\n\n${lines.join("\n")}\n`;
}

/** Runs the CLI; returns the exit code. `io` defaults to the process's streams and env. */
export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const stderr = io?.stderr ?? process.stderr;
  const stdout = io?.stdout ?? process.stdout;
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    stderr.write(`Unknown command "${name}".\n${usage()}`);
    return 2;
  }
  try {
    const config = io?.config ?? loadConfig();
    const run = await command.load();
    return await run(rest, { stdin: io?.stdin ?? process.stdin, stdout, stderr, config });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PendingMigrationsError || error instanceof MigrationChangedError) {
      stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG
    }
    stderr.write(`seller-bot ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.SELLER_BOT_DEBUG) stderr.write(`${(error as Error)?.stack ?? ""}\n`);
    return 1;
  }
}
