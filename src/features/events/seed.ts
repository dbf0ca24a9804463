/**
 * Sample events from content/events/*.json, added only when `start`/`chat` opens a
 * brand-new embedded database. The files use the `events create` format; each also says
 * `sampleDaysFromNow`, so the seeder puts the event that many days after today at the
 * file's Pakistan time of day: samples are always upcoming, never stale fixed dates.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AppDeps } from "../../core/context.ts";
import { findPartnerByName } from "../partners/api.ts";
import { describeIssues, eventFileSchema, type EventFile } from "./schema.ts";
import { createEvent } from "./service.ts";

const PKT_OFFSET_MS = 5 * 3600_000;
const DAY = 86_400_000;

/** Reads and validates every sample file; a bad file stops with its name and the problems. */
export function loadSampleEvents(dir: string): Array<{ file: string; event: EventFile }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const parsed = eventFileSchema.safeParse(JSON.parse(readFileSync(join(dir, file), "utf8")));
      if (!parsed.success) throw new Error(`content/events/${file}: ${describeIssues(parsed.error)}`);
      return { file, event: parsed.data };
    });
}

/** Moves an event to `days` after today (PKT), keeping its time of day and length. */
export function shiftToDaysFromNow(event: Pick<EventFile, "startsAt" | "endsAt">, days: number, now: Date): { startsAt: Date; endsAt: Date } {
  const timeOfDay = (event.startsAt.getTime() + PKT_OFFSET_MS) % DAY;
  const todayPkt = Math.floor((now.getTime() + PKT_OFFSET_MS) / DAY) * DAY;
  const startsAt = new Date(todayPkt + days * DAY + timeOfDay - PKT_OFFSET_MS);
  return { startsAt, endsAt: new Date(startsAt.getTime() + (event.endsAt.getTime() - event.startsAt.getTime())) };
}

/** Adds the sample events (marked isSample). The organiser is linked when that partner exists. */
export async function seedSampleEvents(deps: AppDeps): Promise<number> {
  const samples = loadSampleEvents(join(deps.config.contentDir, "events"));
  for (const { event } of samples) {
    const times = event.sampleDaysFromNow ? shiftToDaysFromNow(event, event.sampleDaysFromNow, deps.now()) : event;
    const partner = event.partner ? await findPartnerByName(deps.db, event.partner) : null;
    await createEvent(deps, {
      title: event.title,
      description: event.description,
      venue: event.venue,
      startsAt: times.startsAt,
      endsAt: times.endsAt,
      capacity: event.capacity,
      partnerId: partner?.id ?? null,
      createdByUserId: null,
      status: event.status,
      isSample: true,
    });
  }
  return samples.length;
}
