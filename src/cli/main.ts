/**
 * `seller-bot <command>`: the command-line entry. commander parses and prints help
 * (docs/decisions/0901-commander-for-the-cli.md); the commands load lazily so `ask` does
 * not pay for Telegram or WhatsApp code. Errors reach the user as one line, never a stack
 * trace. Exit codes: 0 done (and `--help`), 1 failed, 2 bad usage, 78 configuration,
 * 75 busy or locked, 69 a service that is not available.
 */
import { CommanderError } from "commander";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { PendingMigrationsError } from "../db/client.ts";
import { MigrationChangedError } from "../db/migrate.ts";
import type { CliScope, CliSeams } from "./define.ts";
import { EXIT, type CliIO } from "./io.ts";
import { createProgram } from "./program.ts";

/** Runs the CLI; returns the exit code. `io` defaults to the process's streams and env. */
export async function main(argv: string[], io?: Partial<CliIO> & { seams?: CliSeams }): Promise<number> {
  const stderr = io?.stderr ?? process.stderr;
  const stdout = io?.stdout ?? process.stdout;
  const stdin = io?.stdin ?? process.stdin;
  let config: Config | undefined = io?.config;
  let code = 0;
  const scope: CliScope = {
    seams: io?.seams ?? {},
    // The configuration is read only when a command runs: `--help` works with a broken environment.
    run: async (action) => {
      config ??= loadConfig();
      code = await action({ stdin, stdout, stderr, config });
    },
  };
  const program = createProgram({ stdout, stderr }, scope);
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    // commander has printed its message (and the hint to --help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
    if (error instanceof ConfigError || error instanceof PendingMigrationsError || error instanceof MigrationChangedError) {
      stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    const name = argv.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ");
    stderr.write(`seller-bot ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.SELLER_BOT_DEBUG) stderr.write(`${(error as Error)?.stack ?? ""}\n`);
    return 1;
  }
}
