/**
 * The events feature's API for other features (cross-feature contract, docs/team-brief.md).
 * Broadcasts' reports show these counts next to delivery figures.
 */
import type { Db } from "../../db/client.ts";

/** How many answered each way; `waitlist` counts people waiting for a seat. */
export interface RsvpCounts {
  going: number;
  maybe: number;
  no: number;
  waitlist: number;
}

/** RSVP counts for one event (all zero for an unknown event). */
export async function rsvpCounts(db: Db, eventId: number): Promise<RsvpCounts> {
  const groups = await db.rsvp.groupBy({ by: ["status"], where: { eventId }, _count: { _all: true } });
  const counts: RsvpCounts = { going: 0, maybe: 0, no: 0, waitlist: 0 };
  for (const g of groups) if (g.status in counts) counts[g.status as keyof RsvpCounts] = g._count._all;
  return counts;
}
