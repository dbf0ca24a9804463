/**
 * What leaves the bot as files: the attendee list (CSV) for the organiser and the event as
 * an iCalendar entry (RFC 5545) for people's calendars.
 */
import { csvCell } from "../../core/csv.ts";
import { contactLinks } from "../partners/api.ts";
import type { Db } from "../../db/client.ts";
import { eventDescription, eventTitle, type EventView } from "./render.ts";
import { isoPkt } from "./time.ts";

/** One person on the attendee list. */
export interface Attendee {
  name: string;
  status: string;
  /** 1-based place on the waitlist, null when not waiting. */
  waitlistPosition: number | null;
  channel: string;
  /** WhatsApp number (from the JID) so the organiser can call; empty on other channels. */
  phone: string;
  answeredAt: Date;
  /** Links that open a chat with them: https://wa.me/<number>, tg://user?id=<id> (empty when none). */
  whatsappLink: string;
  telegramLink: string;
}

const ORDER: Record<string, number> = { going: 0, waitlist: 1, maybe: 2, no: 3 };

/** Everyone who answered, going first, then the waitlist in promotion order, maybe, can't. */
export async function listAttendees(db: Db, eventId: number): Promise<Attendee[]> {
  const rows = await db.rsvp.findMany({
    where: { eventId },
    include: { user: { include: { identities: { orderBy: { id: "asc" } } } } },
    orderBy: [{ waitlistedAt: "asc" }, { id: "asc" }],
  });
  let waiting = 0;
  return rows
    .sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9))
    .map((r) => {
      const identity = r.user.identities[0];
      const links = contactLinks(r.user.identities);
      const whatsapp = r.user.identities.find((i) => i.channel === "whatsapp" && /@s\.whatsapp\.net$/.test(i.externalId));
      return {
        name: r.user.displayName ?? `user ${r.userId}`,
        status: r.status,
        waitlistPosition: r.status === "waitlist" ? ++waiting : null,
        channel: identity?.channel ?? "",
        phone: whatsapp ? `+${whatsapp.externalId.split("@")[0]}` : "",
        answeredAt: r.updatedAt,
        whatsappLink: links.find((l) => l.channel === "whatsapp")?.link ?? "",
        telegramLink: links.find((l) => l.channel === "telegram")?.link ?? "",
      };
    });
}

/** The attendee list as CSV (RFC 4180, CRLF), safe to open in a spreadsheet. */
export function attendeesCsv(attendees: Attendee[]): string {
  // The contact links were added after the first six columns: at the end, so that scripts
  // reading columns by position keep working.
  const header = ["name", "status", "waitlist_position", "channel", "phone", "answered_at_pkt", "whatsapp_link", "telegram_link"];
  // Only the name is free text; the phone and links are built from digits, kept as they are.
  const lines = attendees.map((a) => [csvCell(a.name), a.status, a.waitlistPosition?.toString() ?? "", a.channel, a.phone, isoPkt(a.answeredAt), a.whatsappLink, a.telegramLink].join(","));
  return `${[header.join(","), ...lines].join("\r\n")}\r\n`;
}


/** The event as an iCalendar file (UTC times, escaped text, lines folded at 75 octets). */
export function eventIcs(event: EventView & { updatedAt?: Date }, options: { lang?: "en" | "ur" | "ur-Latn"; now: Date; host?: string }): string {
  const lang = options.lang ?? "en";
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//seller-bot//events//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:event-${event.id}@${options.host ?? "seller-bot"}`,
    `DTSTAMP:${icsTime(options.now)}`,
    `DTSTART:${icsTime(event.startsAt)}`,
    `DTEND:${icsTime(event.endsAt)}`,
    `SUMMARY:${icsText(eventTitle(event, lang))}`,
    ...(eventDescription(event, lang) ? [`DESCRIPTION:${icsText(eventDescription(event, lang))}`] : []),
    `LOCATION:${icsText(`${event.venueName}, ${event.venueAddress}`)}`,
    ...(event.latitude !== null && event.longitude !== null ? [`GEO:${event.latitude};${event.longitude}`] : []),
    `STATUS:${event.status === "cancelled" ? "CANCELLED" : "CONFIRMED"}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}

/** 20261220T050000Z */
export function icsTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** RFC 5545 TEXT: backslash, semicolon, comma escaped; newlines as \n. */
export function icsText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Folds a content line at 75 octets (UTF-8), never inside a character. */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = "";
  let size = 0;
  const limit = () => (parts.length === 0 ? 75 : 74); // continuation lines start with a space
  for (const ch of line) {
    const n = encoder.encode(ch).length;
    if (size + n > limit()) {
      parts.push(current);
      current = "";
      size = 0;
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join("\r\n ");
}
