/**
 * Reminders 24 hours and 2 hours before an event to everyone going. A job looks every
 * minute; the outbox's dedupe keys (`rem24:<eventId>:<userId>`, `rem2:…`) make every look
 * after the first a no-op, also across restarts and processes.
 */
import type { AppDeps, Job } from "../../core/context.ts";
import { enqueueDirect } from "../broadcasts/api.ts";
import { eventCard, eventTemplateParameters, eventTitle, localize } from "./render.ts";

const HOUR = 3600_000;

/** One reminder due now. */
export interface DueReminder {
  eventId: number;
  userId: number;
  kind: "rem24" | "rem2";
  dedupeKey: string;
}

/**
 * Reminders due at `now`: for published events starting within 24 h, each person going
 * gets "rem24" (more than 2 h ahead) or "rem2" (within 2 h). Someone who said yes 30
 * minutes before the start still gets the 2-hour one.
 */
export async function dueReminders(deps: AppDeps, now = deps.now()): Promise<DueReminder[]> {
  const events = await deps.db.event.findMany({
    where: { status: "published", startsAt: { gt: now, lte: new Date(now.getTime() + 24 * HOUR) } },
    select: { id: true, startsAt: true, rsvps: { where: { status: "going" }, select: { userId: true } } },
  });
  return events.flatMap((e) => {
    const kind = e.startsAt.getTime() - now.getTime() <= 2 * HOUR ? "rem2" : "rem24";
    return e.rsvps.map((r) => ({ eventId: e.id, userId: r.userId, kind, dedupeKey: `${kind}:${e.id}:${r.userId}` }) as DueReminder);
  });
}

/** Queues the due reminders; returns how many were new. */
export async function queueReminders(deps: AppDeps, now = deps.now()): Promise<number> {
  const due = await dueReminders(deps, now);
  if (due.length === 0) return 0;
  const events = new Map((await deps.db.event.findMany({ where: { id: { in: [...new Set(due.map((d) => d.eventId))] } } })).map((e) => [e.id, e]));
  const items = due.flatMap((d) => {
    const event = events.get(d.eventId);
    if (!event) return [];
    const text = localize(deps.i18n, (t, lang) => `${t(`events:reminder.${d.kind}`, { title: eventTitle(event, lang) })}\n\n${eventCard(event, lang, t)}`);
    return [{ userId: d.userId, kind: "reminder" as const, dedupeKey: d.dedupeKey, content: { text, template: { purpose: "event-reminder" as const, parameters: eventTemplateParameters(event) } }, respectOptOut: false }];
  });
  return enqueueDirect(deps, items);
}

/** The reminder job for `seller-bot start` (every `intervalMs`, never overlapping itself). */
export function createReminderJob(deps: AppDeps, intervalMs = 60_000): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = queueReminders(deps)
      .then((n) => void (n > 0 && deps.log.info({ queued: n }, "event reminders queued")))
      .catch((err: unknown) => deps.log.warn({ err }, "event reminders failed; will retry"))
      .finally(() => (running = undefined));
  };
  return {
    name: "event-reminders",
    start() {
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
