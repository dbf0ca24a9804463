/**
 * Event times: stored in UTC, shown and typed in Pakistan time (Asia/Karachi, UTC+5, no
 * daylight saving since 2009). Display goes through Intl with the time zone so it stays
 * right even if that ever changes; parsing typed dates uses the fixed +05:00 offset.
 */
import type { Lang } from "../../core/types.ts";
import { asciiDigits } from "../../core/text.ts";

/** The zone every event time is shown in. */
export const EVENT_TIME_ZONE = "Asia/Karachi";
const PKT_OFFSET_MS = 5 * 3600_000;

const LOCALE: Record<Lang, string> = { en: "en-GB", ur: "ur-PK", "ur-Latn": "en-GB" };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Lang, kind: "dateTime" | "time"): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === "dateTime"
        ? { timeZone: EVENT_TIME_ZONE, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "numeric", minute: "2-digit", hour12: true }
        : { timeZone: EVENT_TIME_ZONE, hour: "numeric", minute: "2-digit", hour12: true };
    f = new Intl.DateTimeFormat(LOCALE[lang], options);
    formatters.set(key, f);
  }
  return f;
}

/** "Sun, 20 Dec 2026, 10:00 am – 4:00 pm PKT" (the end's date is shown only when it differs). */
export function formatEventTime(startsAt: Date, endsAt: Date, lang: Lang): string {
  const sameDay = pktDateKey(startsAt) === pktDateKey(endsAt);
  const end = sameDay ? formatter(lang, "time").format(endsAt) : formatter(lang, "dateTime").format(endsAt);
  return `${formatter(lang, "dateTime").format(startsAt)} – ${end} PKT`;
}

/** "Sun, 20 Dec 2026, 10:00 am PKT" */
export function formatPkt(date: Date, lang: Lang = "en"): string {
  return `${formatter(lang, "dateTime").format(date)} PKT`;
}

/** "Sun, 20 Dec, 10:00 am" (a list entry's date in Pakistan time). */
export function formatPktShort(date: Date, lang: Lang = "en"): string {
  const key = `${lang}:short`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: EVENT_TIME_ZONE, weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit", hour12: true });
    formatters.set(key, f);
  }
  return f.format(date);
}

/** "2026-12-20 10:00" in Pakistan time (CSV, logs). */
export function isoPkt(date: Date): string {
  return new Date(date.getTime() + PKT_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

function pktDateKey(date: Date): string {
  return new Date(date.getTime() + PKT_OFFSET_MS).toISOString().slice(0, 10);
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11,
  dec: 12, december: 12,
  // Urdu month names as people type them
  جنوری: 1, فروری: 2, مارچ: 3, اپریل: 4, مئی: 5, جون: 6, جولائی: 7, اگست: 8, ستمبر: 9, اکتوبر: 10, نومبر: 11, دسمبر: 12,
};

/** A typed start (and optional end) time, in UTC. */
export interface ParsedTime {
  startsAt: Date;
  /** Present when an end time was typed ("10am-4pm"). */
  endsAt?: Date;
  /** False when the year was not typed and the next such date was taken. */
  yearGiven: boolean;
}

/**
 * Parses what a partner types for a date and time, in Pakistan time:
 * "20 Dec 10am", "20 December 2026 10:30", "2026-12-20 10:00", "20/12/2026 3pm", "Dec 20 10am",
 * optionally with an end: "20 Dec 10am-4pm". Without a year the next such date is meant.
 * Returns null when no date and time can be read (a time is required).
 */
export function parsePktDateTime(input: string, now: Date): ParsedTime | null {
  const text = asciiDigits(input).toLowerCase().replace(/[,،]/g, " ").replace(/\s+/g, " ").trim();
  const date = readDate(text);
  if (!date) return null;
  const clock = readClock(date.rest);
  if (!clock) return null;
  if (!validDay(date.year ?? pktYear(now), date.month, date.day)) return null;
  const build = (y: number, minutes: number) => new Date(Date.UTC(y, date.month - 1, date.day, 0, minutes) - PKT_OFFSET_MS);
  let startsAt = build(date.year ?? pktYear(now), clock.start);
  // Without a year, a date more than a day gone means next year's ("5 Jan" typed in December).
  if (date.year === undefined && startsAt.getTime() < now.getTime() - 86_400_000) startsAt = build(pktYear(now) + 1, clock.start);
  let endsAt: Date | undefined;
  if (clock.end !== undefined) {
    endsAt = new Date(startsAt.getTime() + (clock.end - clock.start) * 60_000);
    if (endsAt <= startsAt) endsAt = new Date(endsAt.getTime() + 86_400_000);
  }
  return { startsAt, endsAt, yearGiven: date.year !== undefined };
}

function pktYear(now: Date): number {
  return new Date(now.getTime() + PKT_OFFSET_MS).getUTCFullYear();
}

function validDay(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return month >= 1 && month <= 12 && d.getUTCDate() === day;
}

function readDate(text: string): { year?: number; month: number; day: number; rest: string } | null {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:t|\s|$)(.*)$/.exec(text);
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), rest: m[4] ?? "" };
  m = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?(?:\s|$)(.*)$/.exec(text);
  if (m) return { year: m[3] ? Number(m[3]) : undefined, month: Number(m[2]), day: Number(m[1]), rest: m[4] ?? "" };
  m = /^(\d{1,2})(?:st|nd|rd|th)?\s+([^\s\d]+)(?:\s+(\d{4}))?(?:\s|$)(.*)$/.exec(text);
  if (m && MONTHS[m[2]!]) return { year: m[3] ? Number(m[3]) : undefined, month: MONTHS[m[2]!]!, day: Number(m[1]), rest: m[4] ?? "" };
  m = /^([^\s\d]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?(?:\s|$)(.*)$/.exec(text);
  if (m && MONTHS[m[1]!]) return { year: m[3] ? Number(m[3]) : undefined, month: MONTHS[m[1]!]!, day: Number(m[2]), rest: m[4] ?? "" };
  return null;
}

const TIME = String.raw`(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?`;
const RANGE = new RegExp(`(?:^|\\s)${TIME}\\s*(?:-|–|to|se|tak)\\s*${TIME}`);
const SINGLE = new RegExp(`(?:^|\\s)${TIME}`, "g");

/** Minutes after midnight of the start (and end) typed after the date. */
function readClock(rest: string): { start: number; end?: number } | null {
  const range = RANGE.exec(rest);
  if (range) {
    const endSuffix = range[6];
    // "10-4pm": the end's am/pm applies to a start without one when that makes sense.
    const end = toMinutes(range[4], range[5], endSuffix);
    let start = toMinutes(range[1], range[2], range[3] ?? endSuffix);
    if (start !== null && end !== null && !range[3] && start > end) start = toMinutes(range[1], range[2], "am");
    if (start === null || end === null) return null;
    return { start, end };
  }
  for (const m of rest.matchAll(SINGLE)) {
    if (m[2] === undefined && m[3] === undefined) continue; // a bare number is not a time
    const start = toMinutes(m[1], m[2], m[3]);
    return start === null ? null : { start };
  }
  return null;
}

function toMinutes(h: string | undefined, min: string | undefined, suffixRaw: string | undefined): number | null {
  let hour = Number(h);
  const minute = min ? Number(min) : 0;
  const suffix = suffixRaw?.replace(/\./g, "");
  if (!Number.isInteger(hour) || minute > 59) return null;
  if (suffix) {
    if (hour < 1 || hour > 12) return null;
    if (suffix === "pm" && hour !== 12) hour += 12;
    if (suffix === "am" && hour === 12) hour = 0;
  } else if (hour > 23) return null;
  return hour * 60 + minute;
}
