/**
 * Runs the CLI in this process against a test database, capturing what it prints.
 */
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.ts";
import { loadConfig } from "../../src/config.ts";

/** `seller-bot ARGS` with DATABASE_URL = `databaseUrl` (and `env`); returns the exit code and output. */
export async function runCliInProcess(databaseUrl: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const config = loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", ...env });
  const code = await main(args, { stdout, stderr, config, stdin: new PassThrough() });
  return { code, stdout: out, stderr: err };
}
