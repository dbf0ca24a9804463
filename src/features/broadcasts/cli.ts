/**
 * `seller-bot broadcasts status ID [--json]` and `broadcasts pause|resume|cancel ID`
 * (the CLI is an admin). `status --json` prints exactly {"queued","sent","failed","blocked","optedOut"}.
 * Arguments are declared in ./commands.ts.
 */
import { z } from "zod";
import { createApp, type App } from "../../app.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { UserFacingError } from "../../core/errors.ts";
import { broadcastReport } from "./report.ts";
import { controlBroadcast, type BroadcastAction } from "./service.ts";

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** Runs one `broadcasts` subcommand (arguments declared in ./commands.ts). */
export async function broadcastCommand(io: CliIO, command: "status" | BroadcastAction, rawId: string, json: boolean): Promise<number> {
  const parsed = idSchema.safeParse(rawId);
  if (!parsed.success) return usageError(io, `ID: expected a positive whole number, got "${rawId}"`);
  const id = parsed.data;
  let app: App | undefined;
  try {
    app = await createApp(io.config);
    if (command === "status") {
      const report = await broadcastReport(app.deps, id);
      if (json) {
        const { queued, sent, failed, blocked, optedOut } = report.status;
        io.stdout.write(`${JSON.stringify({ queued, sent, failed, blocked, optedOut })}\n`);
      } else {
        const s = report.status;
        io.stdout.write(`broadcast ${id}: queued ${s.queued}, sent ${s.sent}, failed ${s.failed}, blocked ${s.blocked}, opted out ${s.optedOut}\n`);
        if (report.rsvp) io.stdout.write(`rsvp: going ${report.rsvp.going}, maybe ${report.rsvp.maybe}, no ${report.rsvp.no}, waitlist ${report.rsvp.waitlist}\n`);
      }
      return 0;
    }
    const status = await controlBroadcast(app.deps.db, id, command);
    io.stdout.write(json ? `${JSON.stringify({ id, status })}\n` : `broadcast ${id}: ${status}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UserFacingError && app) return usageError(io, app.deps.i18n.t("en")(error.key, error.params));
    throw error;
  } finally {
    await app?.close();
  }
}
