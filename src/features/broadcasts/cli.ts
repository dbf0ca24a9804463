/**
 * `seller-bot broadcasts status ID [--json]` and `broadcasts pause|resume|cancel ID`
 * and `broadcasts list` (the CLI is an admin). `status --json` prints
 * {"queued","sent","failed","blocked","optedOut"} (the original contract) and, added since,
 * "cancelled" and "state", then "delivered" and "read" (WhatsApp Cloud API receipts, a part of
 * "sent"), "skipped" (outside WhatsApp's 24-hour window, no template) and "limited"
 * (WhatsApp's marketing limit); the counts other than delivered and read add up to the recipients.
 * Arguments are declared in ./commands.ts.
 */
import { z } from "zod";
import { createApp, type App } from "../../app.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { UserFacingError } from "../../core/errors.ts";
import { broadcastReport } from "./report.ts";
import type { PartnerRef } from "../../cli/define.ts";
import { resolvePartner } from "../../cli/partner-ref.ts";
import { controlBroadcast, listBroadcasts, type BroadcastAction } from "./service.ts";

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
        // The first five keys in their first order (scripts rely on them), then the added ones.
        const { queued, sent, failed, blocked, optedOut, cancelled, state, delivered, read, skipped, limited } = report.status;
        io.stdout.write(`${JSON.stringify({ queued, sent, failed, blocked, optedOut, cancelled, state, delivered, read, skipped, limited })}\n`);
      } else {
        const s = report.status;
        io.stdout.write(`broadcast ${id} (${s.state}): queued ${s.queued}, sent ${s.sent}, failed ${s.failed}, blocked ${s.blocked}, opted out ${s.optedOut}, cancelled ${s.cancelled}${s.delivered || s.read || s.skipped || s.limited ? `; WhatsApp delivered ${s.delivered}, read ${s.read}, skipped (no template) ${s.skipped}, over limit ${s.limited}` : ""}\n`);
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

/** `broadcasts list [--partner P] [--limit N] [--json]`: the newest broadcasts with their state. */
export async function listCommand(io: CliIO, options: { partner?: PartnerRef; limit: string; json: boolean }): Promise<number> {
  const limit = z.coerce.number().int().min(1).max(1000).safeParse(options.limit);
  if (!limit.success) return usageError(io, `--limit: expected a whole number from 1 to 1000, got "${options.limit}"`);
  const app = await createApp(io.config);
  try {
    let partnerId: number | undefined;
    if (options.partner) {
      const found = await resolvePartner(app.deps.db, options.partner);
      if ("error" in found) return usageError(io, found.error);
      partnerId = found.partner.id;
    }
    const rows = await listBroadcasts(app.deps.db, { ...(partnerId !== undefined ? { partnerId } : {}), limit: limit.data });
    if (options.json) {
      const out = rows.map((r) => ({ id: r.id, createdAt: r.createdAt.toISOString(), partnerId: r.partnerId, eventId: r.eventId, recipients: r.recipients, preview: r.preview, ...r.status }));
      io.stdout.write(`${JSON.stringify(out)}\n`);
      return 0;
    }
    if (rows.length === 0) io.stdout.write("No broadcasts.\n");
    for (const r of rows) {
      const s = r.status;
      io.stdout.write(`#${r.id} ${r.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC ${s.state}: ${s.sent} of ${r.recipients} sent (queued ${s.queued}, failed ${s.failed}, blocked ${s.blocked}, opted out ${s.optedOut}, cancelled ${s.cancelled}) ${r.preview}\n`);
    }
    return 0;
  } finally {
    await app.close();
  }
}
