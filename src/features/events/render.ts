/**
 * How an event reads in chat, in each language: titles fall back to English when the Urdu
 * or Roman Urdu text is missing; times are shown in Pakistan time.
 */
import type { I18n, Translate } from "../../i18n/index.ts";
import { LANGS, type Choice, type Lang } from "../../core/types.ts";
import { formatEventTime } from "./time.ts";

/** The event fields rendering needs (a Prisma `Event` row fits). */
export interface EventView {
  id: number;
  titleEn: string;
  titleUr: string | null;
  titleUrLatn: string | null;
  descriptionEn: string;
  descriptionUr: string | null;
  descriptionUrLatn: string | null;
  venueName: string;
  venueAddress: string;
  latitude: number | null;
  longitude: number | null;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  status: string;
}

/** The RSVP answers a person can give. */
export const RSVP_ANSWERS = ["going", "maybe", "no"] as const;
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];

/** The title in `lang`, English when that language's text is missing. */
export function eventTitle(e: EventView, lang: Lang): string {
  return (lang === "ur" ? e.titleUr : lang === "ur-Latn" ? e.titleUrLatn : null) || e.titleEn;
}

/** The description in `lang`, English when missing. */
export function eventDescription(e: EventView, lang: Lang): string {
  return (lang === "ur" ? e.descriptionUr : lang === "ur-Latn" ? e.descriptionUrLatn : null) || e.descriptionEn;
}

/** The event as a short card: title, time, venue, seats left, description. */
export function eventCard(e: EventView, lang: Lang, t: Translate, seats?: { going: number }): string {
  const lines = [
    t("events:card.title", { title: eventTitle(e, lang) }),
    t("events:card.when", { when: formatEventTime(e.startsAt, e.endsAt, lang) }),
    // A venue typed without an address (older drafts copied the name) is shown once.
    e.venueAddress && e.venueAddress !== e.venueName ? t("events:card.where", { venue: e.venueName, address: e.venueAddress }) : t("events:card.whereName", { venue: e.venueName }),
  ];
  if (seats) lines.push(t("events:card.seats", { left: Math.max(0, e.capacity - seats.going), capacity: e.capacity }));
  if (e.status === "draft") lines.push(t("events:card.draft"));
  if (e.status === "cancelled") lines.push(t("events:card.cancelled"));
  const description = eventDescription(e, lang);
  return description ? `${lines.join("\n")}\n\n${description}` : lines.join("\n");
}

/** Choice data for an RSVP answer: `ev:rsvp:<eventId>:<answer>` (well under 64 bytes). */
export function rsvpData(eventId: number, answer: RsvpAnswer): string {
  return `ev:rsvp:${eventId}:${answer}`;
}

/** Going / Maybe / Can't, in one language. */
export function rsvpChoices(eventId: number, t: Translate): Choice[] {
  return RSVP_ANSWERS.map((a) => ({ data: rsvpData(eventId, a), label: t(`events:rsvp.label.${a}`) }));
}

/** The same text in every language (what the outbox needs: it picks the recipient's). */
export function localize(i18n: I18n, build: (t: Translate, lang: Lang) => string): Record<Lang, string> {
  return Object.fromEntries(LANGS.map((lang) => [lang, build(i18n.t(lang), lang)])) as Record<Lang, string>;
}

/**
 * The values of an event template's parameters (content/whatsapp/templates.json) in every
 * language: what WhatsApp sends in place of the text outside its 24-hour window.
 */
export function eventTemplateParameters(e: EventView): Record<"title" | "date" | "venue", Record<Lang, string>> {
  const per = (f: (lang: Lang) => string) => ({ en: f("en"), ur: f("ur"), "ur-Latn": f("ur-Latn") });
  return { title: per((l) => eventTitle(e, l)), date: per((l) => formatEventTime(e.startsAt, e.endsAt, l)), venue: per(() => e.venueName) };
}
