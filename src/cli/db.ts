/** `seller-bot db migrate`: applies pending migrations to the configured database. */
import { openConfiguredDatabase } from "../db/client.ts";
import { usageError, type CliIO } from "./io.ts";

/** Runs a `db` subcommand. */
export async function runDb(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] !== "migrate") return usageError(io, "usage: seller-bot db migrate");
  const database = await openConfiguredDatabase(io.config.database, { migrate: true });
  await database.close();
  const { applied } = database.migration;
  io.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}\n` : "The database is up to date.\n");
  return 0;
}
