/**
 * The command tree: every command with its arguments, options and help. Features add theirs
 * from their `commands.ts`; actions load the code that does the work only when they run.
 */
import { Command, type Option } from "commander";
import { registerWhatsAppCommands } from "../channels/whatsapp/commands.ts";
import { registerBroadcastCommands } from "../features/broadcasts/commands.ts";
import { registerDashboardCommands } from "../features/dashboard/commands.ts";
import { registerEventCommands } from "../features/events/commands.ts";
import { registerFaqCommands } from "../features/faq/commands.ts";
import { registerPartnerCommands } from "../features/partners/commands.ts";
import { registerProgressCommands } from "../features/progress/commands.ts";
import { parseLocalRole, type CliScope, type LocalRole, type RegisterCommands } from "./define.ts";

/** Where commander writes: stdout for help, stderr for errors. */
export interface ProgramOutput {
  stdout: NodeJS.WritableStream & { columns?: number; isTTY?: boolean };
  stderr: NodeJS.WritableStream & { columns?: number; isTTY?: boolean };
}

const ENVIRONMENT = `
Settings come from the environment (see README, "Configuration"), among them:
  DATABASE_URL  file:PATH (SQLite) or postgres://…; default file:./data/seller-bot.db.
                A relative file: path is relative to the directory the command runs in.
  CONTENT_DIR   content folder (FAQ, stages, samples); default the content shipped with
                seller-bot. A relative path is relative to the directory the command runs in.
  LOG_LEVEL     fatal|error|warn|info|debug|trace|silent (default info; a terminal chat
                shows only warnings and errors, as short lines).
  TELEGRAM_BOT_TOKEN, WHATSAPP_ENABLED: the channels "start" serves (none: the local chat).`;

const CORE: RegisterCommands = (program, scope) => {
  const samplesHelp = "add the sample partners and events (fictional, marked as samples) unless the database has them already";
  program
    .command("start")
    .description("run the bot on every configured channel, the outbox worker and the jobs; with no channel configured, the local chat")
    .option("--samples", `${samplesHelp} (without it only a brand-new embedded database with the local chat gets them)`)
    .action((opts: { samples?: boolean }) => scope.run(async (io) => (await import("./run.ts")).runStart(io, { samples: opts.samples })));
  program
    .command("chat")
    .description("chat with the bot in this terminal (one message per line when piped); what the bot queues for local users is delivered here")
    .option("--as <role>", "chat as seller (default), admin, or partner:NAME (a partner's name or id): a local user with that role on this database", parseLocalRole)
    .option("--samples", samplesHelp)
    .action((opts: { as?: LocalRole; samples?: boolean }) => scope.run(async (io) => (await import("./run.ts")).runChat(io, opts)));
  program
    .command("samples")
    .description("the sample data")
    .command("remove")
    .description("delete every sample partner and sample event (with their RSVPs, memberships and announcements), nothing else")
    .option("--json", 'print {"partners","events","broadcasts"} removed')
    .action((opts: { json?: boolean }) => scope.run(async (io) => (await import("./samples.ts")).removeSamplesCommand(io, Boolean(opts.json))));
  program
    .command("db")
    .description("the database")
    .command("migrate")
    .description("apply pending database migrations")
    .action(() => scope.run(async (io) => (await import("./db.ts")).migrateDatabase(io)));
};

/** Builds the program for one run (commander keeps parse state, so one per call). */
export function createProgram(output: ProgramOutput, scope: CliScope): Command {
  const program = new Command("seller-bot")
    .description("Chat assistant for small exporters and their channel partners (Telegram, WhatsApp, terminal).")
    .usage("<command> [options]");
  program.configureOutput({
    writeOut: (s) => output.stdout.write(s),
    writeErr: (s) => output.stderr.write(s),
    getOutHelpWidth: () => output.stdout.columns ?? 100,
    getErrHelpWidth: () => output.stderr.columns ?? 100,
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  });
  program.exitOverride();
  for (const register of [CORE, registerFaqCommands, registerPartnerCommands, registerProgressCommands, registerEventCommands, registerBroadcastCommands, registerDashboardCommands, registerWhatsAppCommands]) {
    register(program, scope);
  }
  for (const command of walk(program)) {
    if (command !== program) command.showHelpAfterError(`Run "${path(command)} --help" for usage.`);
    // A command with subcommands and no action given none: its help, as a usage error.
  }
  program.showHelpAfterError('Run "seller-bot --help" for usage.');
  program.addHelpText("after", `\nEvery command:\n${allCommands(program)}\n${ENVIRONMENT}\n\nRun "seller-bot COMMAND --help" or "seller-bot COMMAND SUB --help" for details.`);
  return program;
}

function* walk(command: Command): Generator<Command> {
  yield command;
  for (const sub of command.commands) yield* walk(sub);
}

function path(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** One line per runnable command, with its arguments and options spelled out. */
function allCommands(program: Command): string {
  const lines: string[] = [];
  for (const command of walk(program)) {
    if (command === program || command.commands.length > 0) continue;
    const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? "..." : ""}>` : `[${a.name()}${a.variadic ? "..." : ""}]`));
    const options = command.options.filter((o) => !o.hidden).map((o: Option) => (o.mandatory ? o.flags : `[${o.flags}]`));
    lines.push(`  ${[path(command), ...args, ...options].join(" ")}`);
  }
  return lines.join("\n");
}
