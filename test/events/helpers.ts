/** Shared set-up for the events tests: users, partners, subscriptions and events on a real database. */
import type { AppDeps } from "../../src/core/context.ts";
import type { Db } from "../../src/db/client.ts";
import type { NewEvent } from "../../src/features/events/schema.ts";
import { createEvent, type EventRow } from "../../src/features/events/service.ts";

let seq = 0;

/** A user with one identity on `channel`. */
export async function makeUser(db: Db, options: { role?: "seller" | "partner" | "admin"; channel?: string; externalId?: string; name?: string } = {}) {
  seq += 1;
  const externalId = options.externalId ?? `ev-user-${seq}-${Math.random().toString(36).slice(2, 7)}`;
  return db.user.create({
    data: {
      role: options.role ?? "seller",
      displayName: options.name ?? `Seller ${seq}`,
      identities: { create: { channel: options.channel ?? "console", externalId } },
    },
    include: { identities: true },
  });
}

/** An approved partner with one approved member account (role "partner"). */
export async function makePartner(db: Db, name: string, memberExternalId?: string) {
  seq += 1;
  const partner = await db.partner.create({ data: { name, code: `p${seq}${Math.random().toString(36).slice(2, 6)}`, city: "Sialkot", latitude: 32.49, longitude: 74.52, approved: true } });
  const member = await makeUser(db, { role: "partner", externalId: memberExternalId, name: `${name} staff` });
  await db.partnerMember.create({ data: { userId: member.id, partnerId: partner.id, status: "approved", approvedAt: new Date() } });
  return { partner, member };
}

/** Subscribes a user to event announcements (and optionally assigns them to a partner). */
export async function subscribe(db: Db, userId: number, partnerId?: number): Promise<void> {
  // Upsert: users who wrote to the bot may already be subscribed by the broadcasts feature.
  await db.subscription.upsert({
    where: { userId_topic: { userId, topic: "events" } },
    create: { userId, topic: "events", status: "subscribed", source: "test" },
    update: { status: "subscribed", optedOutAt: null },
  });
  if (partnerId) await db.sellerAssignment.create({ data: { sellerId: userId, partnerId } });
}

/** A published event starting `inHours` after deps.now(), lasting 4 hours. */
export async function makeEvent(deps: AppDeps, overrides: Partial<NewEvent> & { inHours?: number } = {}): Promise<EventRow> {
  const startsAt = new Date(deps.now().getTime() + (overrides.inHours ?? 72) * 3600_000);
  return createEvent(deps, {
    title: { en: "Sialkot Export Summit", ur: "سیالکوٹ ایکسپورٹ سمٹ" },
    description: { en: "Talks, Q&A; networking" },
    venue: { name: "Hall One", address: "Paris Road, Sialkot", latitude: 32.49, longitude: 74.52 },
    startsAt,
    endsAt: new Date(startsAt.getTime() + 4 * 3600_000),
    capacity: 200,
    partnerId: null,
    createdByUserId: null,
    status: "published",
    ...overrides,
  });
}

/** Outbox rows whose dedupe key starts with `prefix`. */
export async function outboxKeys(db: Db, prefix: string): Promise<string[]> {
  const rows = await db.outboxMessage.findMany({ where: { dedupeKey: { startsWith: prefix } }, select: { dedupeKey: true }, orderBy: { id: "asc" } });
  return rows.map((r) => r.dedupeKey ?? "");
}
