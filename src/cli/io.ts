/**
 * What a CLI command gets: its arguments, streams and the configuration.
 */
import type { Config } from "../config.ts";

/** Streams and settings a command runs with (tests pass their own). */
export interface CliIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  config: Config;
}

/** A command: returns the process exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** Prints a user error (no stack trace) and returns exit code 2. */
export function usageError(io: CliIO, message: string): number {
  io.stderr.write(`${message}\n`);
  return 2;
}

/** sysexits.h codes the commands return. */
export const EXIT = { usage: 2, unavailable: 69, tempFail: 75, config: 78 } as const;
