/**
 * What a CLI command gets: its arguments, streams and the configuration.
 */
import type { Config } from "../config.ts";

/** Streams and settings a command runs with (tests pass their own). */
export interface CliIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  config: Config;
}

/** A command: returns the process exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** Prints a user error (no stack trace) and returns exit code 2. */
export function usageError(io: CliIO, message: string): number {
  io.stderr.write(`${message}\n`);
  return 2;
}
