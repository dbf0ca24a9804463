/**
 * Working-hours arithmetic for the pickup deadline: "4 hours" means 4 hours inside the
 * configured working days and hours (default Mon–Sat 09:00–18:00 Asia/Karachi), so a
 * request on Saturday evening is due on Monday morning, not at midnight.
 */
import type { WorkingHours } from "../../config.ts";

const DAY_MS = 86_400_000;

/** The time zone's offset from UTC at `at` (ms), read from Intl (no time-zone library). */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant `ms` of working time after `start`. Time outside the working window does not
 * count. The offset is read once per local day, which is exact for zones without daylight
 * saving (Pakistan) and at most an hour off on a transition day elsewhere.
 */
export function addWorkingTime(start: Date, ms: number, hours: WorkingHours): Date {
  if (hours.days.length === 0) return new Date(start.getTime() + ms);
  let t = start.getTime();
  let remaining = ms;
  // A year of days at most: the loop ends long before for any sane configuration.
  for (let i = 0; i < 400; i++) {
    const offset = zoneOffsetMs(t, hours.timeZone);
    const local = t + offset;
    const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
    const windowStart = dayStart + hours.startMinute * 60_000;
    const windowEnd = dayStart + hours.endMinute * 60_000;
    if (hours.days.includes(new Date(dayStart).getUTCDay()) && local < windowEnd) {
      const from = Math.max(local, windowStart);
      const available = windowEnd - from;
      if (remaining <= available) return new Date(from + remaining - offset);
      remaining -= available;
    }
    t = dayStart + DAY_MS - offset;
  }
  return new Date(start.getTime() + ms);
}
