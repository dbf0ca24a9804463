/**
 * Announcing an event: the broadcasts feature does audiences, quotas and delivery; this
 * checks the event can be announced (published, not started, the sender's own) and builds
 * the text with Going / Maybe / Can't choices.
 */
import type { AppDeps, UserRecord } from "../../core/context.ts";
import { UserFacingError } from "../../core/errors.ts";
import { LANGS } from "../../core/types.ts";
import { createBroadcast, previewBroadcast, type Audience, type BroadcastContent } from "../broadcasts/api.ts";
import { eventCard, eventTemplateParameters, localize, rsvpData, RSVP_ANSWERS } from "./render.ts";
import { assertCanManage, assertMayManageEvents, unavailableReason, type EventRow } from "./service.ts";

/** Who announces: a user from chat, or null for the admin CLI. */
export type Announcer = Pick<UserRecord, "id" | "role"> | null;

/**
 * The announcement in every language, with RSVP choices. It opens with who invites: the
 * organising partner by name (`organiser`), else the programme team; without either
 * known (an old caller), a plain "You're invited".
 */
export function announcementContent(deps: AppDeps, event: EventRow, organiser?: string | null): BroadcastContent {
  const intro = (t: (key: string, params?: Record<string, unknown>) => string) =>
    organiser ? t("events:announce.introFrom", { partner: organiser }) : organiser === null ? t("events:announce.introTeam") : t("events:announce.intro");
  const text = localize(deps.i18n, (t, lang) => `${intro(t)}\n\n${eventCard(event, lang, t)}\n\n${t("events:announce.rsvpPrompt")}`);
  const choices = RSVP_ANSWERS.map((answer) => ({
    data: rsvpData(event.id, answer),
    label: Object.fromEntries(LANGS.map((l) => [l, deps.i18n.t(l)(`events:rsvp.label.${answer}`)])) as BroadcastContent["text"],
  }));
  return { text, choices, template: { purpose: "event-announcement", parameters: eventTemplateParameters(event) } };
}

/** The default audience: the organising partner's own sellers and groups, else everyone. */
export function defaultAudience(event: EventRow): Audience {
  return event.partnerId !== null ? { kind: "partner", partnerId: event.partnerId } : { kind: "all" };
}

/**
 * Refuses what must never be queued; returns the event otherwise. Who is asking is
 * checked before the event's state is told: a seller or another partner learns nothing
 * about a draft from a forged `ev:ann:<id>`.
 */
async function checkAnnounceable(deps: AppDeps, eventId: number, sender: Announcer): Promise<EventRow> {
  if (sender) await assertMayManageEvents(deps, sender);
  const event = await deps.db.event.findUnique({ where: { id: eventId } });
  if (sender && event) await assertCanManage(deps, sender, event);
  const reason = unavailableReason(event, deps.now());
  if (reason || !event) throw new UserFacingError(`events:errors.announce.${reason ?? "notFound"}`);
  return event;
}

/** How many people an announcement would reach (for the confirm step in chat). */
export async function previewAnnouncement(deps: AppDeps, eventId: number, sender: Announcer, audience?: Audience): Promise<{ event: EventRow; recipients: number }> {
  const event = await checkAnnounceable(deps, eventId, sender);
  const { recipients } = await previewBroadcast(deps, {
    senderUserId: sender?.id ?? null,
    audience: audience ?? defaultAudience(event),
    topic: "events",
    eventId,
    content: announcementContent(deps, event, await organiserName(deps, event)),
  });
  return { event, recipients };
}

/**
 * Queues the announcement through the broadcasts outbox; the running `seller-bot start`
 * delivers it. Throws {@link UserFacingError} with the reason when refused (nothing queued).
 */
export async function announceEvent(deps: AppDeps, eventId: number, sender: Announcer, audience?: Audience): Promise<{ broadcastId: number; recipients: number }> {
  const event = await checkAnnounceable(deps, eventId, sender);
  const result = await createBroadcast(deps, {
    senderUserId: sender?.id ?? null,
    audience: audience ?? defaultAudience(event),
    topic: "events",
    eventId,
    content: announcementContent(deps, event, await organiserName(deps, event)),
  });
  return { broadcastId: result.broadcastId, recipients: result.recipients };
}

/** The organising partner's name, or null for an event of the programme team. */
async function organiserName(deps: AppDeps, event: EventRow): Promise<string | null> {
  if (event.partnerId === null) return null;
  const partner = await deps.db.partner.findUnique({ where: { id: event.partnerId }, select: { name: true } });
  return partner?.name ?? null;
}
