/**
 * Subscriptions and opt-out. A user has one row per topic. Telegram (and the local console)
 * subscribe on first contact; WhatsApp only after an explicit yes. STOP opts out of every
 * topic at once; START (or "shuru", "شروع") subscribes again with consent recorded.
 */
import type { Db } from "../../db/client.ts";
import { isUniqueViolation } from "../../core/users.ts";
import { TOPICS } from "./types.ts";

/** Subscription statuses. */
export const SUB = { subscribed: "subscribed", optedOut: "opted-out", asked: "asked" } as const;

/** True when the user opted out of `topic` (STOP). */
export async function isOptedOut(db: Db, userId: number, topic: string): Promise<boolean> {
  const row = await db.subscription.findUnique({ where: { userId_topic: { userId, topic } }, select: { status: true } });
  return row?.status === SUB.optedOut;
}

/** Of `userIds`, the ones opted out of `topic` (one query for a batch). */
export async function optedOutAmong(db: Db, userIds: number[], topic: string): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db.subscription.findMany({ where: { userId: { in: userIds }, topic, status: SUB.optedOut }, select: { userId: true } });
  return new Set(rows.map((r) => r.userId));
}

/** Opts out of every topic now. */
export async function optOut(db: Db, userId: number, now: Date): Promise<void> {
  for (const topic of TOPICS) {
    await upsert(db, userId, topic, { status: SUB.optedOut, optedOutAt: now });
  }
}

/** Subscribes to every topic with explicit consent (START, a yes to the question). */
export async function optIn(db: Db, userId: number, source: string, now: Date): Promise<void> {
  for (const topic of TOPICS) {
    await upsert(db, userId, topic, { status: SUB.subscribed, consentAt: now, optedOutAt: null, source });
  }
}

/** Records that the WhatsApp consent question was asked (so it is asked once). */
export async function markAsked(db: Db, userId: number, now: Date): Promise<void> {
  for (const topic of TOPICS) {
    await db.subscription.create({ data: { userId, topic, status: SUB.asked, consentAskedAt: now, source: "whatsapp-consent" } }).catch((e: unknown) => {
      if (!isUniqueViolation(e)) throw e;
    });
  }
}

/** The user's subscription status for the main topic, or null when there is no row. */
export async function subscriptionStatus(db: Db, userId: number): Promise<string | null> {
  const row = await db.subscription.findUnique({ where: { userId_topic: { userId, topic: TOPICS[0] } }, select: { status: true } });
  return row?.status ?? null;
}

async function upsert(db: Db, userId: number, topic: string, data: { status: string; optedOutAt?: Date | null; consentAt?: Date; source?: string }): Promise<void> {
  await db.subscription.upsert({ where: { userId_topic: { userId, topic } }, create: { userId, topic, source: data.source ?? "", ...data }, update: data });
}
