/**
 * What a message means, decided once per text message before any feature acts on it
 * (shared/intents.md). The core and the features depend on these types only; the step that
 * computes them lives in src/understanding/ and is injected into the core.
 */
import type { Lang } from "./types.ts";

/** Every intent, in the order of shared/intents.md. */
export const INTENTS = [
  "faq",
  "partner.find",
  "partner.mine",
  "partner.change",
  "human",
  "complaint.partner",
  "progress.show",
  "progress.report",
  "events.list",
  "events.rsvp",
  "events.mine",
  "optout",
  "optin",
  "language",
  "menu",
  "greeting",
  "thanks",
  "ack",
  "bye",
  "none",
] as const;

/** What the person wants. */
export type Intent = (typeof INTENTS)[number];

/** An answer to an event invitation. */
export type RsvpValue = "going" | "maybe" | "no";

/** Values the message gives; only the keys it really contains are present. */
export interface Entities {
  /** The town's English name as the gazetteer spells it. */
  place?: string;
  /** A stage id of content/progress/stages.json. */
  stage?: string;
  /** A whole number the message gives ("12", "۱۲", "baara", "twelve"). */
  count?: number;
  rsvp?: RsvpValue;
  lang?: Lang;
}

/**
 * How sure an opt-out is: `exact` (STOP, UNSUBSCRIBE, بند کریں as the whole message) and
 * `phrase` (an unambiguous sentence) act at once; `maybe` asks first.
 */
export type OptOutStrength = "exact" | "phrase" | "maybe";

/** A short answer a flow may be waiting for. */
export type FlowAnswer = "yes" | "no" | "skip";

/** The FAQ matcher's view of the text (the `faq` intent answers from it). */
export interface FaqView {
  /** The answered topic when confident, else null. */
  topic: string | null;
  score: number;
  decision: "confident" | "unsure" | "none";
  /** Topics best first with their confidence. */
  ranked: Array<{ topic: string; score: number }>;
}

/** A town named in the message, with what features need to act on it. */
export interface PlaceRef {
  /** English name as the gazetteer spells it (the `place` entity). */
  name: string;
  /** Urdu-script name, when the gazetteer has one. */
  urdu: string | null;
  latitude: number;
  longitude: number;
  /** The words of the message that named it, as typed (normalised). */
  words: string;
}

/** The understanding of one text message. */
export interface Understanding {
  intent: Intent;
  entities: Entities;
  /** 0..1: how sure the decision is (rules ≈ 0.9+, the FAQ's own score for `faq`). */
  confidence: number;
  /** The form the message is written in (detected; the reply language follows it unless chosen). */
  lang: Lang;
  /** The FAQ match of the text; null when it was not needed or the text has no words. */
  faq: FaqView | null;
  /** For `optout`: act at once or ask first. */
  optOut?: OptOutStrength;
  /** Yes / no / skip, when the whole message is one (for flows asking a question). */
  answer?: FlowAnswer;
  /** An RSVP answer the message gives, whatever the intent (for flows around an event). */
  rsvp?: RsvpValue;
  /** A bare number the whole message is ("2", "۲"), for numbered menus. */
  number?: number;
  /** The place named, when there is one (also when the intent does not carry it as an entity). */
  place?: PlaceRef;
  /** A place-like phrase the gazetteer does not know ("mai qwxztabad se hun" → "qwxztabad"). */
  unknownPlace?: string;
  /** True when the message reports a problem (a complaint never unsubscribes). */
  complaint: boolean;
  /** Which rule decided (for `eval:intents --errors` and debug logs). */
  reason: string;
}

/** Turns a text into its understanding. Pure and synchronous; never throws on any input. */
export interface Understander {
  understand(text: string): Understanding;
}

/** The FAQ routing topics (shared/faq-topics.md) and the intent each one means. */
export const ROUTING_TOPIC_INTENTS: Readonly<Record<string, Intent>> = {
  "find-partner": "partner.find",
  "talk-to-human": "human",
  unsubscribe: "optout",
  "change-language": "language",
  "summit-events": "events.list",
  "event-rsvp": "events.rsvp",
  "listing-progress": "progress.show",
};

/** The FAQ topic id that stands for an intent in `ask --json` (`topic`), if any. */
export const INTENT_TOPICS: Readonly<Partial<Record<Intent, string>>> = {
  "partner.find": "find-partner",
  human: "talk-to-human",
  optout: "unsubscribe",
  language: "change-language",
  "events.list": "summit-events",
  "events.rsvp": "event-rsvp",
  "progress.show": "listing-progress",
  "progress.report": "listing-progress",
};
