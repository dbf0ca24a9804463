/**
 * The event file format of `events create` (shared/design.md) and the rules every new
 * event obeys, whether it comes from a file, the guided chat or the sample content.
 */
import { z } from "zod";

// Control characters never belong in an event's text (PostgreSQL refuses NUL in text).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const clean = (s: string) => !CONTROL.test(s);
const NO_CONTROL = "must not contain control characters";
const text = (max: number) => z.string().trim().min(1).max(max).refine(clean, NO_CONTROL);

/** Text in the three languages; only English is required (the others fall back to it). */
const localized = (max: number, required: boolean) =>
  z.object({
    en: required ? text(max) : z.string().trim().max(max).refine(clean, NO_CONTROL).default(""),
    ur: text(max).optional(),
    "ur-Latn": text(max).optional(),
  }, { error: (iss) => (iss.input === undefined ? "required" : "expected an object {\"en\": …, \"ur\": …, \"ur-Latn\": …}") });

/** Years an event may be in: catches typos such as 20266 and dates no calendar can show. */
const YEARS = { min: 2000, max: 2100 };

const isoWithZone = z.iso
  .datetime({ offset: true, error: (iss) => (iss.input === undefined ? "required" : "expected a date-time with a zone, e.g. 2026-12-20T10:00:00+05:00") })
  .transform((s) => new Date(s))
  .refine((d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= YEARS.min && d.getUTCFullYear() <= YEARS.max, `a year between ${YEARS.min} and ${YEARS.max}`);

/** One event as written in a `content/events/*.json` file or given to `events create`. */
export const eventFileSchema = z
  .object({
    title: localized(120, true),
    description: localized(1500, false).default({ en: "" }),
    venue: z.object({
      name: text(120),
      address: text(300),
      latitude: z.number("expected a number between -90 and 90").min(-90, "between -90 and 90").max(90, "between -90 and 90").optional(),
      longitude: z.number("expected a number between -180 and 180").min(-180, "between -180 and 180").max(180, "between -180 and 180").optional(),
    }),
    startsAt: isoWithZone,
    endsAt: isoWithZone,
    capacity: z.number({ error: (iss) => (iss.input === undefined ? "required" : "expected a whole number of seats") }).int("expected a whole number of seats").min(1, "must be at least 1 seat").max(100_000),
    partner: text(200).optional(),
    status: z.enum(["published", "draft"]).default("draft"),
    /** Sample content only: the seeder places the event this many days after today. */
    sampleDaysFromNow: z.number().int().min(1).max(365).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    // zod still runs this when a date failed above (it is then the raw input): compare real dates only.
    if (!(e.startsAt instanceof Date) || !(e.endsAt instanceof Date)) return;
    if (e.endsAt <= e.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after startsAt" });
    if (e.endsAt.getTime() - e.startsAt.getTime() > 14 * 86_400_000) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "an event may last at most 14 days" });
  });

/** A parsed event file. */
export type EventFile = z.infer<typeof eventFileSchema>;

/** One line naming every problem: `title.en: required; endsAt: must be after startsAt`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.map(String).join(".") || "(file)";
      const message = /received undefined$/.test(i.message) ? "required" : i.message;
      return `${path}: ${message}`;
    })
    .join("; ");
}

/** Fields every new event needs, whatever its source. */
export interface NewEvent {
  title: { en: string; ur?: string; "ur-Latn"?: string };
  description: { en: string; ur?: string; "ur-Latn"?: string };
  venue: { name: string; address: string; latitude?: number; longitude?: number };
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  partnerId: number | null;
  createdByUserId: number | null;
  status: "draft" | "published";
  isSample?: boolean;
}

/** Rules that depend on the clock; the reason is an i18n key under `events:errors`. */
export function timeProblem(event: { startsAt: Date; endsAt: Date }, now: Date): "inPast" | "endBeforeStart" | null {
  if (event.endsAt <= event.startsAt) return "endBeforeStart";
  if (event.startsAt <= now) return "inPast";
  return null;
}
