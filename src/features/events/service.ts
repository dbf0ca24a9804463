/**
 * Events as stored: creating (with the rules every source shares), reading, listing,
 * cancelling with notices, and who may manage which event.
 */
import type { AppDeps, UserRecord } from "../../core/context.ts";
import { UserFacingError } from "../../core/errors.ts";
import type { Db } from "../../db/client.ts";
import { enqueueDirect } from "../broadcasts/api.ts";
import { partnerIdOfMember } from "../partners/api.ts";
import { eventTitle, localize } from "./render.ts";
import { timeProblem, type NewEvent } from "./schema.ts";
import { formatEventTime } from "./time.ts";

/** An event row as stored. */
export type EventRow = NonNullable<Awaited<ReturnType<Db["event"]["findUnique"]>>>;

/** Most seats one event may have (a hall, not a stadium; also guards typos like 20000000). */
export const MAX_CAPACITY = 100_000;

/**
 * Stores a new event after the checks every source shares: a start in the future, an end
 * after the start, at least one seat. Throws {@link UserFacingError} (`events:errors.*`).
 */
export async function createEvent(deps: AppDeps, input: NewEvent, options: { refuseDuplicate?: boolean } = {}): Promise<EventRow> {
  const problem = timeProblem(input, deps.now());
  if (problem) throw new UserFacingError(`events:errors.${problem}`);
  if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > MAX_CAPACITY) {
    throw new UserFacingError("events:errors.capacity", { max: MAX_CAPACITY });
  }
  if (options.refuseDuplicate) {
    const same = await findDuplicateEvent(deps.db, input.title.en, input.startsAt);
    if (same) throw new UserFacingError("events:errors.duplicate", { id: same.id });
  }
  return deps.db.event.create({
    data: {
      titleEn: input.title.en,
      titleUr: input.title.ur ?? null,
      titleUrLatn: input.title["ur-Latn"] ?? null,
      descriptionEn: input.description.en,
      descriptionUr: input.description.ur ?? null,
      descriptionUrLatn: input.description["ur-Latn"] ?? null,
      venueName: input.venue.name,
      venueAddress: input.venue.address,
      latitude: input.venue.latitude ?? null,
      longitude: input.venue.longitude ?? null,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      capacity: input.capacity,
      partnerId: input.partnerId,
      createdByUserId: input.createdByUserId,
      status: input.status,
      isSample: input.isSample ?? false,
    },
  });
}

/**
 * An event that is not cancelled with the same English title and start: running
 * `events create` twice with one file, or a partner sending the same form again, would
 * otherwise make two events that sellers answer separately. Not atomic with the insert:
 * two exactly simultaneous creations can still both pass (a CLI run and a chat are not).
 */
export async function findDuplicateEvent(db: Db, titleEn: string, startsAt: Date): Promise<EventRow | null> {
  return db.event.findFirst({ where: { titleEn: titleEn.trim(), startsAt, status: { not: "cancelled" } }, orderBy: { id: "asc" } });
}

/** Why an event cannot take RSVPs or be announced now, or null when it can. */
export function unavailableReason(event: EventRow | null, now: Date): "notFound" | "draft" | "cancelled" | "past" | null {
  if (!event) return "notFound";
  if (event.status === "cancelled") return "cancelled";
  if (event.status !== "published") return "draft";
  if (event.startsAt <= now) return "past";
  return null;
}

/** Published events that have not started yet, soonest first. */
export async function upcomingEvents(deps: AppDeps, limit = 10): Promise<EventRow[]> {
  return deps.db.event.findMany({ where: { status: "published", startsAt: { gt: deps.now() } }, orderBy: { startsAt: "asc" }, take: limit });
}

/** The partner a user acts for (null for everyone else, including pending partner members). */
export async function actingPartnerId(deps: AppDeps, user: Pick<UserRecord, "id" | "role">): Promise<number | null> {
  if (user.role !== "partner") return null;
  return partnerIdOfMember(deps.db, user.id);
}

/**
 * Whether `user` may manage events at all: admins; approved partner members (their partner
 * id is returned). Throws the reason otherwise. Checked before an event is read, so a
 * refusal says nothing about the event a forged button named.
 */
export async function assertMayManageEvents(deps: AppDeps, user: Pick<UserRecord, "id" | "role">): Promise<number | null> {
  if (user.role === "admin") return null;
  if (user.role !== "partner") throw new UserFacingError("events:errors.partnersOnly");
  const partnerId = await actingPartnerId(deps, user);
  if (partnerId === null) throw new UserFacingError("events:errors.partnerNotApproved");
  return partnerId;
}

/**
 * Whether `user` may manage (announce, cancel, export) `event`: admins always; a partner's
 * member only for that partner's own events; sellers never. Throws the reason otherwise.
 */
export async function assertCanManage(deps: AppDeps, user: Pick<UserRecord, "id" | "role">, event: EventRow): Promise<void> {
  const partnerId = await assertMayManageEvents(deps, user);
  if (user.role !== "admin" && event.partnerId !== partnerId) throw new UserFacingError("events:errors.notYourEvent");
}

/**
 * Cancels an event and queues a notice to everyone who answered going, maybe or waitlist
 * (transactional notices, so opt-out from announcements does not apply). Safe to repeat:
 * the notices' dedupe keys make a second run queue nothing. Returns the notices queued.
 */
export async function cancelEvent(deps: AppDeps, eventId: number): Promise<{ event: EventRow; notified: number }> {
  const event = await deps.db.event.findUnique({ where: { id: eventId } });
  if (!event) throw new UserFacingError("events:errors.notFound");
  if (event.startsAt <= deps.now() && event.status !== "cancelled") throw new UserFacingError("events:errors.alreadyStarted");
  const cancelled = event.status === "cancelled" ? event : await deps.db.event.update({ where: { id: eventId }, data: { status: "cancelled", cancelledAt: deps.now() } });
  const rsvps = await deps.db.rsvp.findMany({ where: { eventId, status: { in: ["going", "maybe", "waitlist"] } }, select: { userId: true } });
  const text = localize(deps.i18n, (t, lang) => t("events:notice.cancelled", { title: eventTitle(cancelled, lang), when: formatEventTime(cancelled.startsAt, cancelled.endsAt, lang) }));
  const notified = rsvps.length
    ? await enqueueDirect(deps, rsvps.map((r) => ({ userId: r.userId, kind: "notice" as const, dedupeKey: `evcancel:${eventId}:${r.userId}`, content: { text }, respectOptOut: false })))
    : 0;
  return { event: cancelled, notified };
}
