/**
 * RSVPs with a capacity and a waitlist. Every change runs in one transaction that first
 * bumps `Event.rsvpVersion`: on PostgreSQL that takes the event row's lock, on SQLite the
 * write lock, so concurrent answers for one event are counted one after another and the
 * last seat goes to exactly one person (docs/decisions/0502-rsvp-seat-lock.md).
 */
import type { AppDeps } from "../../core/context.ts";
import type { Db } from "../../db/client.ts";
import { enqueueDirect } from "../broadcasts/api.ts";
import { eventCard, eventTitle, localize, type RsvpAnswer } from "./render.ts";
import { unavailableReason, type EventRow } from "./service.ts";

/** What an RSVP did. */
export type RsvpResult =
  | { kind: "unavailable"; reason: "notFound" | "draft" | "cancelled" | "past"; event: EventRow | null }
  | { kind: "going"; event: EventRow; changed: boolean }
  | { kind: "waitlist"; event: EventRow; position: number; changed: boolean }
  | { kind: "maybe" | "no"; event: EventRow; changed: boolean; promoted: number[] };

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Records `userId`'s answer. "going" takes a seat or joins the waitlist; leaving a seat
 * promotes the longest-waiting person, who is told through the outbox.
 */
export async function setRsvp(deps: AppDeps, eventId: number, userId: number, answer: RsvpAnswer): Promise<RsvpResult> {
  const now = deps.now();
  const result = await deps.db.$transaction(
    async (tx): Promise<RsvpResult> => {
      const locked = await tx.event.updateMany({ where: { id: eventId }, data: { rsvpVersion: { increment: 1 } } });
      const event = locked.count ? await tx.event.findUnique({ where: { id: eventId } }) : null;
      const reason = unavailableReason(event, now);
      if (reason || !event) return { kind: "unavailable", reason: reason ?? "notFound", event };
      const key = { eventId_userId: { eventId, userId } };
      const current = await tx.rsvp.findUnique({ where: key });
      if (answer === "going") {
        if (current?.status === "going") return { kind: "going", event, changed: false };
        if (current?.status === "waitlist") return { kind: "waitlist", event, position: await waitlistPosition(tx, eventId, userId), changed: false };
        const going = await tx.rsvp.count({ where: { eventId, status: "going" } });
        const status = going < event.capacity ? "going" : "waitlist";
        const data = { status, waitlistedAt: status === "waitlist" ? await nextWaitlistTime(tx, eventId, now) : null };
        await tx.rsvp.upsert({ where: key, create: { eventId, userId, ...data }, update: data });
        if (status === "going") return { kind: "going", event, changed: true };
        return { kind: "waitlist", event, position: await waitlistPosition(tx, eventId, userId), changed: true };
      }
      if (current?.status === answer) return { kind: answer, event, changed: false, promoted: [] };
      await tx.rsvp.upsert({ where: key, create: { eventId, userId, status: answer }, update: { status: answer, waitlistedAt: null } });
      const promoted = current?.status === "going" ? await promoteFromWaitlist(tx, event) : [];
      return { kind: answer, event, changed: true, promoted };
    },
    // Answers for one event queue on its row lock; give them time rather than failing.
    { maxWait: 20_000, timeout: 20_000 },
  );
  if (result.kind === "maybe" || result.kind === "no") await notifyPromoted(deps, result.event, result.promoted);
  return result;
}

/**
 * The waitlist follows the order in which answers got the event's lock, not the moment
 * they arrived: `now` was read before waiting for the lock, so a later holder may carry an
 * earlier clock. Never place someone before a person already waiting.
 */
async function nextWaitlistTime(tx: Tx, eventId: number, now: Date): Promise<Date> {
  const last = await tx.rsvp.findFirst({ where: { eventId, status: "waitlist" }, orderBy: { waitlistedAt: "desc" }, select: { waitlistedAt: true } });
  const lastAt = last?.waitlistedAt?.getTime() ?? 0;
  return lastAt >= now.getTime() ? new Date(lastAt + 1) : now;
}

/** 1 for the first person waiting. */
async function waitlistPosition(tx: Tx, eventId: number, userId: number): Promise<number> {
  const mine = await tx.rsvp.findUnique({ where: { eventId_userId: { eventId, userId } } });
  if (!mine?.waitlistedAt) return 0;
  const ahead = await tx.rsvp.count({
    where: { eventId, status: "waitlist", OR: [{ waitlistedAt: { lt: mine.waitlistedAt } }, { waitlistedAt: mine.waitlistedAt, id: { lt: mine.id } }] },
  });
  return ahead + 1;
}

/** Fills free seats from the waitlist, oldest first; returns the promoted user ids. */
async function promoteFromWaitlist(tx: Tx, event: EventRow): Promise<number[]> {
  const going = await tx.rsvp.count({ where: { eventId: event.id, status: "going" } });
  const free = event.capacity - going;
  if (free <= 0) return [];
  const next = await tx.rsvp.findMany({ where: { eventId: event.id, status: "waitlist" }, orderBy: [{ waitlistedAt: "asc" }, { id: "asc" }], take: free });
  for (const r of next) await tx.rsvp.update({ where: { id: r.id }, data: { status: "going", waitlistedAt: null } });
  return next.map((r) => r.userId);
}

/** Tells promoted people they have a seat (rsvpVersion is unique per transaction: a later promotion is told again). */
async function notifyPromoted(deps: AppDeps, event: EventRow, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  const text = localize(deps.i18n, (t, lang) => `${t("events:notice.promoted", { title: eventTitle(event, lang) })}\n\n${eventCard(event, lang, t)}`);
  await enqueueDirect(
    deps,
    userIds.map((userId) => ({ userId, kind: "notice" as const, dedupeKey: `evpromo:${event.id}:${userId}:${event.rsvpVersion}`, content: { text }, respectOptOut: false })),
  );
}
