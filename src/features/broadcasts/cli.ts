/**
 * `seller-bot broadcasts status ID [--json]` and `broadcasts pause|resume|cancel ID`
 * (the CLI is an admin). `status --json` prints exactly {"queued","sent","failed","blocked","optedOut"}.
 */
import { z } from "zod";
import { createApp, type App } from "../../app.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { UserFacingError } from "../../core/errors.ts";
import { broadcastReport } from "./report.ts";
import { controlBroadcast, type BroadcastAction } from "./service.ts";

const USAGE = [
  "usage: seller-bot broadcasts status ID [--json]",
  "       seller-bot broadcasts pause ID | resume ID | cancel ID",
].join("\n");

const argsSchema = z.tuple([z.enum(["status", "pause", "resume", "cancel"]), z.coerce.number().int().positive().max(2_147_483_647)]);

/** Entry point for `seller-bot broadcasts`. */
export async function runBroadcasts(argv: string[], io: CliIO): Promise<number> {
  const json = argv.includes("--json");
  const positional = argv.filter((a) => a !== "--json");
  const unknown = positional.find((a) => a.startsWith("--"));
  if (unknown) return usageError(io, `Unknown option ${unknown}.\n${USAGE}`);
  const parsed = argsSchema.safeParse(positional);
  if (!parsed.success) return usageError(io, USAGE);
  const [command, id] = parsed.data;
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
    const status = await controlBroadcast(app.deps.db, id, command as BroadcastAction);
    io.stdout.write(json ? `${JSON.stringify({ id, status })}\n` : `broadcast ${id}: ${status}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UserFacingError && app) return usageError(io, app.deps.i18n.t("en")(error.key, error.params));
    throw error;
  } finally {
    await app?.close();
  }
}
