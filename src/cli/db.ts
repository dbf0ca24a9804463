/** `seller-bot db migrate`: applies pending migrations to the configured database. */
import { openConfiguredDatabase } from "../db/client.ts";
import type { CliIO } from "./io.ts";

/** Applies pending migrations and says which. */
export async function migrateDatabase(io: CliIO): Promise<number> {
  const database = await openConfiguredDatabase(io.config.database, { migrate: true });
  await database.close();
  const { applied } = database.migration;
  io.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}\n` : "The database is up to date.\n");
  return 0;
}
