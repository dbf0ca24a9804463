/**
 * The sender's report of one broadcast: delivery counts and, for an event announcement,
 * the RSVP counts from the events feature.
 */
import type { AppDeps } from "../../core/context.ts";
import type { Translate } from "../../i18n/index.ts";
import { rsvpCounts, type RsvpCounts } from "../events/api.ts";
import { broadcastStatus } from "./service.ts";
import type { BroadcastStatus } from "./types.ts";

/** Counts and RSVPs of a broadcast (throws UserFacingError when it does not exist). */
export async function broadcastReport(deps: AppDeps, broadcastId: number): Promise<{ status: BroadcastStatus; rsvp: RsvpCounts | null; senderUserId: number | null; partnerId: number | null }> {
  const status = await broadcastStatus(deps.db, broadcastId);
  const b = await deps.db.broadcast.findUniqueOrThrow({ where: { id: broadcastId }, select: { eventId: true, senderUserId: true, partnerId: true } });
  const rsvp = b.eventId !== null ? await rsvpCounts(deps.db, b.eventId) : null;
  return { status, rsvp, senderUserId: b.senderUserId, partnerId: b.partnerId };
}

/** The report as chat text. */
export function reportText(t: Translate, id: number, report: { status: BroadcastStatus; rsvp: RsvpCounts | null }): string {
  const lines = [t("broadcasts:report.line", { id, ...report.status, state: t(`broadcasts:report.state.${report.status.state}`) })];
  const s = report.status;
  if (s.delivered || s.read || s.skipped || s.limited) lines.push(t("broadcasts:report.whatsapp", { delivered: s.delivered, read: s.read, skipped: s.skipped, limited: s.limited }));
  if (report.rsvp) lines.push(t("broadcasts:report.rsvp", { ...report.rsvp }));
  return lines.join("\n");
}
