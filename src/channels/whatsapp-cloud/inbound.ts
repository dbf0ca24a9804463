/**
 * A webhook's `value` → the core's {@link InboundMessage}s and the delivery statuses of what
 * the bot sent. Text, button and list replies, locations, captions under photos, videos and
 * documents, and voice notes are read; reactions are dropped (they are not messages to answer).
 */
import type { InboundContent, InboundMessage, MediaRef } from "../../core/types.ts";
import { webhookMessageSchema, webhookStatusSchema, type WebhookMessage, type WebhookPayload } from "./wire.ts";

/** A delivery receipt, in the order statuses may only move forward (read > delivered > sent). */
export interface DeliveryStatus {
  /** The wamid the send returned. */
  messageId: string;
  status: "sent" | "delivered" | "read" | "failed";
  at: Date;
  recipientId?: string;
  /** For "failed": the Graph error code (131049, 131026 …). */
  errorCode?: number;
  errorTitle?: string;
}

/** What one webhook post carries for this phone number. */
export interface WebhookContents {
  messages: InboundMessage[];
  statuses: DeliveryStatus[];
  /** Items that were not understood (logged, never fatal). */
  skipped: number;
}

/** Reads a webhook post; entries for another phone number of the same app are left out. */
export function readWebhook(payload: WebhookPayload, phoneNumberId: string): WebhookContents {
  const out: WebhookContents = { messages: [], statuses: [], skipped: 0 };
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") continue;
      const value = change.value;
      if (value.metadata && value.metadata.phone_number_id !== phoneNumberId) continue;
      const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
      for (const raw of value.messages ?? []) {
        const parsed = webhookMessageSchema.safeParse(raw);
        if (!parsed.success) {
          out.skipped += 1;
          continue;
        }
        const message = toInbound(parsed.data, names.get(parsed.data.from));
        if (message) out.messages.push(message);
      }
      for (const raw of value.statuses ?? []) {
        const parsed = webhookStatusSchema.safeParse(raw);
        const status = parsed.success ? toStatus(parsed.data) : undefined;
        if (status) out.statuses.push(status);
        else out.skipped += 1;
      }
    }
  }
  return out;
}

/** One Cloud API message → an InboundMessage; undefined for what is not a message to answer (a reaction). */
export function toInbound(m: WebhookMessage, displayName?: string): InboundMessage | undefined {
  const content = contentOf(m);
  if (!content) return undefined;
  const seconds = Number(m.timestamp);
  return {
    channel: "whatsapp-cloud",
    messageId: m.id,
    chat: { id: m.from, kind: "private" },
    sender: { id: m.from, ...(displayName ? { displayName } : {}) },
    sentAt: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date(),
    content,
    ...(m.context?.id ? { replyToMessageId: m.context.id } : {}),
  };
}

function contentOf(m: WebhookMessage): InboundContent | undefined {
  switch (m.type) {
    case "text":
      return m.text ? { kind: "text", text: m.text.body } : { kind: "unsupported", what: "text" };
    case "interactive": {
      const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
      return reply ? { kind: "choice", data: reply.id, label: reply.title } : { kind: "unsupported", what: `interactive:${m.interactive?.type ?? "?"}` };
    }
    case "button":
      // A template's quick reply ("Stop", "Going"): the bot never sets its payload, so the
      // button's text is read like typed text (STOP opts out, as typed).
      return m.button ? { kind: "text", text: m.button.text } : { kind: "unsupported", what: "button" };
    case "location":
      return m.location ? { kind: "location", latitude: m.location.latitude, longitude: m.location.longitude, ...opt("name", m.location.name), ...opt("address", m.location.address) } : { kind: "unsupported", what: "location" };
    case "image":
    case "video":
    case "document": {
      const media = m[m.type];
      if (!media) return { kind: "unsupported", what: m.type };
      const ref = mediaRef(m.type, media);
      // Only the caption can be read; a file without one is for a person to look at.
      return media.caption?.trim() ? { kind: "text", text: media.caption, attachment: ref } : { kind: "unsupported", what: m.type };
    }
    case "audio":
      return m.audio ? { kind: "voice", media: mediaRef(m.audio.voice ? "voice" : "audio", m.audio) } : { kind: "unsupported", what: "audio" };
    case "reaction":
      return undefined;
    default:
      return { kind: "unsupported", what: m.type };
  }
}

function mediaRef(type: MediaRef["type"], media: { id: string; mime_type?: string; filename?: string }): MediaRef {
  return { channel: "whatsapp-cloud", type, ref: media.id, ...opt("mimeType", media.mime_type), ...opt("filename", media.filename) };
}

const STATUSES = new Set(["sent", "delivered", "read", "failed"]);

function toStatus(s: { id: string; status: string; timestamp: string; recipient_id?: string; errors?: Array<{ code: number; title?: string; message?: string }> }): DeliveryStatus | undefined {
  if (!STATUSES.has(s.status)) return undefined;
  const seconds = Number(s.timestamp);
  const error = s.errors?.[0];
  return {
    messageId: s.id,
    status: s.status as DeliveryStatus["status"],
    at: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date(),
    ...opt("recipientId", s.recipient_id),
    ...(error ? { errorCode: error.code, ...opt("errorTitle", error.title ?? error.message) } : {}),
  };
}

function opt<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
