/**
 * Pure parts: Pakistan time shown and parsed, the .ics file (RFC 5545), CSV quoting and
 * the event file schema.
 */
import { describe, expect, it } from "vitest";
import { csvCell as csvField } from "../../src/core/csv.ts";
import { eventIcs, foldLine, icsText } from "../../src/features/events/export.ts";
import { eventTitle, type EventView } from "../../src/features/events/render.ts";
import { describeIssues, eventFileSchema } from "../../src/features/events/schema.ts";
import { shiftToDaysFromNow, loadSampleEvents } from "../../src/features/events/seed.ts";
import { formatEventTime, formatPkt, parsePktDateTime } from "../../src/features/events/time.ts";

const event: EventView = {
  id: 7,
  titleEn: "Sialkot Export Summit; sports, leather & more",
  titleUr: "سیالکوٹ ایکسپورٹ سمٹ",
  titleUrLatn: null,
  descriptionEn: "Line one\nLine two, with a comma \\ and a backslash",
  descriptionUr: null,
  descriptionUrLatn: null,
  venueName: "Hall One",
  venueAddress: "Paris Road, Sialkot",
  latitude: 32.4945,
  longitude: 74.5229,
  startsAt: new Date("2026-12-20T05:00:00Z"),
  endsAt: new Date("2026-12-20T11:00:00Z"),
  capacity: 200,
  status: "published",
};

describe("Pakistan time", () => {
  it("shows UTC times in Asia/Karachi (UTC+5) in each language", () => {
    expect(formatPkt(new Date("2026-12-20T05:00:00Z"))).toBe("Sun, 20 Dec 2026, 10:00 am PKT");
    expect(formatEventTime(event.startsAt, event.endsAt, "en")).toBe("Sun, 20 Dec 2026, 10:00 am – 4:00 pm PKT");
    expect(formatEventTime(event.startsAt, event.endsAt, "ur")).toContain("دسمبر");
    // 22:00 UTC is already the next day in Karachi.
    expect(formatPkt(new Date("2026-12-19T22:00:00Z"))).toBe("Sun, 20 Dec 2026, 3:00 am PKT");
  });

  it("parses what partners type, as Pakistan time", () => {
    const now = new Date("2026-11-27T12:00:00Z");
    const iso = (s: string) => parsePktDateTime(s, now)?.startsAt.toISOString() ?? null;
    expect(iso("20 Dec 10am")).toBe("2026-12-20T05:00:00.000Z");
    expect(iso("2026-12-20 10:00")).toBe("2026-12-20T05:00:00.000Z");
    expect(iso("20/12/2026 3pm")).toBe("2026-12-20T10:00:00.000Z");
    expect(iso("Dec 20 10:30 am")).toBe("2026-12-20T05:30:00.000Z");
    expect(iso("۲۰ دسمبر ۱۰:۰۰")).toBe("2026-12-20T05:00:00.000Z");
    expect(iso("5 Jan 9am")).toBe("2027-01-05T04:00:00.000Z"); // no year: the next one
    expect(parsePktDateTime("20 Dec 10am-4pm", now)?.endsAt?.toISOString()).toBe("2026-12-20T11:00:00.000Z");
    for (const bad of ["20 Dec", "31 Feb 10am", "tomorrow", "20 Dec 13pm", "2026-13-01 10:00", ""]) expect(iso(bad), bad).toBeNull();
  });
});

describe(".ics", () => {
  const ics = eventIcs(event, { now: new Date("2026-11-27T12:00:00Z") });
  it("is a VCALENDAR with UTC times and CRLF lines", () => {
    expect(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")).toBe(true);
    expect(ics).toContain("\r\nDTSTART:20261220T050000Z\r\n");
    expect(ics).toContain("\r\nDTEND:20261220T110000Z\r\n");
    expect(ics).toContain("\r\nDTSTAMP:20261127T120000Z\r\n");
    expect(ics).toContain("\r\nUID:event-7@seller-bot\r\n");
    expect(ics).toContain("\r\nGEO:32.4945;74.5229\r\n");
    expect(ics.endsWith("END:VEVENT\r\nEND:VCALENDAR\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });
  it("escapes text and folds long lines at 75 octets", () => {
    expect(ics).toContain("SUMMARY:Sialkot Export Summit\\; sports\\, leather & more");
    expect(ics).toContain("LOCATION:Hall One\\, Paris Road\\, Sialkot");
    expect(icsText("a\nb,c;d\\e")).toBe("a\\nb\\,c\\;d\\\\e");
    const urdu = eventIcs(event, { lang: "ur", now: new Date() });
    expect(urdu).toContain("SUMMARY:سیالکوٹ ایکسپورٹ سمٹ");
    const folded = foldLine(`DESCRIPTION:${"سمٹ ".repeat(40)}`);
    for (const line of folded.split("\r\n")) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(folded.split("\r\n").slice(1).every((l) => l.startsWith(" "))).toBe(true);
    expect(folded.replace(/\r\n /g, "")).toBe(`DESCRIPTION:${"سمٹ ".repeat(40)}`);
  });
});

describe("text and files", () => {
  it("falls back to English for a missing translation", () => {
    expect(eventTitle(event, "ur")).toBe("سیالکوٹ ایکسپورٹ سمٹ");
    expect(eventTitle(event, "ur-Latn")).toBe(event.titleEn);
  });
  it("quotes CSV fields and defuses formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
  });
});

describe("event files", () => {
  it("names every bad field", () => {
    const r = eventFileSchema.safeParse({ title: { ur: "x" }, venue: { name: "a" }, startsAt: "soon", endsAt: "2026-12-20T10:00:00+05:00", capacity: -1 });
    expect(r.success).toBe(false);
    const line = describeIssues(r.error!);
    expect(line).toMatch(/title\.en: required/);
    expect(line).toMatch(/venue\.address: required/);
    expect(line).toMatch(/startsAt: expected a date-time with a zone/);
    expect(line).toMatch(/capacity: must be at least 1 seat/);
  });

  it("keeps the sample events valid and always in the future", () => {
    const samples = loadSampleEvents("content/events");
    expect(samples.map((s) => s.file).sort()).toEqual(["karachi-exporters-meetup.json", "lahore-b2b-summit.json", "sialkot-export-summit.json"]);
    const now = new Date("2031-06-15T20:00:00Z"); // 16 June, 1 am in Karachi
    for (const { event: e } of samples) {
      expect(e.sampleDaysFromNow).toBeGreaterThan(0);
      const shifted = shiftToDaysFromNow(e, e.sampleDaysFromNow!, now);
      expect(shifted.startsAt.getTime()).toBeGreaterThan(now.getTime());
      expect(formatPkt(shifted.startsAt).slice(-11)).toBe(formatPkt(e.startsAt).slice(-11)); // same PKT time of day
      expect(shifted.endsAt.getTime() - shifted.startsAt.getTime()).toBe(e.endsAt.getTime() - e.startsAt.getTime());
    }
    const sialkot = samples.find((s) => s.file.startsWith("sialkot"))!.event;
    expect(shiftToDaysFromNow(sialkot, 14, now).startsAt.toISOString()).toBe("2031-06-30T05:00:00.000Z");
  });
});
