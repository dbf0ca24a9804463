/**
 * Shapes shared by the broadcasts feature and its callers (events, progress), with the zod
 * schemas that validate them at every boundary (API input, JSON read back from the DB).
 */
import { z } from "zod";
import type { Lang, TemplatePurpose } from "../../core/types.ts";

/** Text in each reply language. */
export type LocalizedText = Record<Lang, string>;

/** Who a broadcast goes to. */
export type Audience =
  | { kind: "all" }
  | { kind: "city"; city: string }
  | { kind: "radius"; latitude: number; longitude: number; km: number }
  | { kind: "category"; category: string }
  | { kind: "partner"; partnerId: number };

/** What a broadcast or direct message says; rendered in each recipient's language. */
export interface BroadcastContent {
  text: LocalizedText;
  choices?: Array<{ data: string; label: LocalizedText }>;
  /**
   * The approved template to send instead where free text is not allowed (WhatsApp Cloud
   * API outside the 24-hour window): its purpose and the values of its named parameters.
   */
  template?: { purpose: TemplatePurpose; parameters: Record<string, { en: string; ur?: string; "ur-Latn"?: string }> };
  /** Sent as a Telegram paid broadcast (an admin's, with TELEGRAM_PAID_BROADCAST on). */
  paid?: boolean;
}

/** Template purposes (content/whatsapp/templates.json). */
export const TEMPLATE_PURPOSES = ["event-announcement", "event-reminder", "progress-nudge"] as const satisfies readonly TemplatePurpose[];

/** Topics announcements are sent under (STOP opts out of all of them). */
export const TOPICS = ["events"] as const;
export type Topic = (typeof TOPICS)[number];

const localized = z.object({ en: z.string().min(1).max(3500), ur: z.string().max(3500), "ur-Latn": z.string().max(3500) });

export const contentSchema = z.object({
  text: localized,
  choices: z
    .array(z.object({ data: z.string().min(1).refine((d) => Buffer.byteLength(d) <= 64, "choice data is at most 64 bytes"), label: localized }))
    .max(10)
    .optional(),
  template: z
    .object({
      purpose: z.enum(TEMPLATE_PURPOSES),
      parameters: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), z.object({ en: z.string().max(1024), ur: z.string().max(1024).optional(), "ur-Latn": z.string().max(1024).optional() })),
    })
    .optional(),
  /** Sent as a Telegram paid broadcast: set by createBroadcast for admins only, never taken from input. */
  paid: z.boolean().optional(),
});

export const audienceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("city"), city: z.string().trim().min(1).max(100) }),
  z.object({ kind: z.literal("radius"), latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), km: z.number().positive().max(2000) }),
  z.object({ kind: z.literal("category"), category: z.string().trim().min(1).max(100) }),
  z.object({ kind: z.literal("partner"), partnerId: z.number().int().positive() }),
]);

/** Input of createBroadcast / previewBroadcast. */
export interface BroadcastInput {
  /** The sending user; null = an admin at the CLI. */
  senderUserId: number | null;
  audience: Audience;
  topic: Topic;
  eventId?: number;
  content: BroadcastContent;
}

export const broadcastInputSchema = z.object({
  senderUserId: z.number().int().positive().nullable(),
  audience: audienceSchema,
  topic: z.enum(TOPICS),
  eventId: z.number().int().positive().optional(),
  content: contentSchema,
});

/** One message to one user (reminder, nudge, notice). */
export interface DirectItem {
  userId: number;
  kind: "nudge" | "reminder" | "notice";
  /** Unique: enqueueing the same key again does nothing. */
  dedupeKey: string;
  content: BroadcastContent;
  /** Not sent before this time (default now). */
  notBefore?: Date;
  /** Skip when the user opted out (default true). */
  respectOptOut?: boolean;
}

export const directItemSchema = z.object({
  userId: z.number().int().positive(),
  kind: z.enum(["nudge", "reminder", "notice"]),
  dedupeKey: z.string().min(1).max(200),
  content: contentSchema,
  notBefore: z.date().optional(),
  respectOptOut: z.boolean().optional(),
});

/** Where a broadcast is: waiting for its first send, sending, paused, cancelled, or done. */
export type BroadcastState = "queued" | "sending" | "paused" | "cancelled" | "done";

/**
 * Delivery counts of one broadcast; they add up to its recipients. `status --json` prints
 * these keys (the first five are the original contract; `cancelled` and `state` were added).
 */
export interface BroadcastStatus {
  queued: number;
  sent: number;
  failed: number;
  blocked: number;
  optedOut: number;
  cancelled: number;
  state: BroadcastState;
  /** WhatsApp Cloud API receipts: of `sent`, how many reached the phone, and were read (other channels report none). */
  delivered: number;
  read: number;
  /** Not sent: outside WhatsApp's 24-hour window with no approved template for the purpose. */
  skipped: number;
  /** Not sent: WhatsApp's per-user marketing limit (131049), counted apart from failures. */
  limited: number;
}

/** Outbox row statuses. */
export const OUTBOX_STATUS = {
  pending: "pending",
  sending: "sending",
  sent: "sent",
  failed: "failed",
  blocked: "blocked",
  optedOut: "opted-out",
  cancelled: "cancelled",
  /** WhatsApp Cloud API: outside the 24-hour window with no template (never sent as free text). */
  skipped: "skipped",
  /** WhatsApp Cloud API 131049: the per-user marketing limit. */
  limited: "marketing-limited",
} as const;

/** Parses stored JSON with a schema; null when it is missing or invalid. */
export function parseStored<T>(schema: z.ZodType<T>, text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Start of the current day in Pakistan (UTC+5, no DST): quotas and caps reset then. */
export function karachiDayStart(now: Date): Date {
  const offset = 5 * 3600_000;
  const day = 24 * 3600_000;
  return new Date(Math.floor((now.getTime() + offset) / day) * day - offset);
}
