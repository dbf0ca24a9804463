/**
 * `seller-bot samples remove`: takes the sample data out of a database, every row marked
 * `isSample` (partners, events) and the rows that exist only because of them, and nothing
 * else:
 * - sample events with their RSVPs (cascade) and their announcements (broadcasts with
 *   their outbox rows);
 * - sample partners with their memberships, requests and seller assignments (cascade),
 *   announcements sent in their name, group link codes and dashboard links and sessions
 *   for them; their members go back to the seller role (admins stay admins);
 * - real rows that merely point at a sample partner keep existing without the pointer: a
 *   real event organised by one, a group linked to one.
 * One transaction: all of it or nothing.
 */
import { openConfiguredDatabase, type Db } from "../db/client.ts";
import type { CliIO } from "./io.ts";

/** What was removed. */
export interface RemovedSamples {
  partners: number;
  events: number;
  broadcasts: number;
}

/** Removes the sample rows (see the module comment). */
export async function removeSamples(db: Db): Promise<RemovedSamples> {
  return db.$transaction(async (tx) => {
    const eventIds = (await tx.event.findMany({ where: { isSample: true }, select: { id: true } })).map((e) => e.id);
    const partnerIds = (await tx.partner.findMany({ where: { isSample: true }, select: { id: true } })).map((p) => p.id);
    const broadcasts = await tx.broadcast.deleteMany({ where: { OR: [{ eventId: { in: eventIds } }, { partnerId: { in: partnerIds } }] } });
    const events = await tx.event.deleteMany({ where: { id: { in: eventIds } } });
    await tx.event.updateMany({ where: { partnerId: { in: partnerIds } }, data: { partnerId: null } });
    const members = (await tx.partnerMember.findMany({ where: { partnerId: { in: partnerIds } }, select: { userId: true } })).map((m) => m.userId);
    await tx.linkedGroup.updateMany({ where: { partnerId: { in: partnerIds } }, data: { partnerId: null } });
    await tx.groupLinkCode.deleteMany({ where: { partnerId: { in: partnerIds } } });
    await tx.dashboardLoginToken.deleteMany({ where: { partnerId: { in: partnerIds } } });
    await tx.dashboardSession.deleteMany({ where: { partnerId: { in: partnerIds } } });
    const partners = await tx.partner.deleteMany({ where: { id: { in: partnerIds } } });
    await tx.user.updateMany({ where: { id: { in: members }, role: "partner" }, data: { role: "seller" } });
    return { partners: partners.count, events: events.count, broadcasts: broadcasts.count };
  });
}

/** Runs `samples remove`. */
export async function removeSamplesCommand(io: CliIO, json: boolean): Promise<number> {
  const database = await openConfiguredDatabase(io.config.database);
  try {
    const removed = await removeSamples(database.prisma);
    io.stdout.write(json ? `${JSON.stringify(removed)}\n` : `Removed ${removed.partners} sample partner(s), ${removed.events} sample event(s) and ${removed.broadcasts} announcement(s) of them.\n`);
    return 0;
  } finally {
    await database.close();
  }
}
