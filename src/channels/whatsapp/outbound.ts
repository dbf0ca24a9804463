/**
 * The core's plain {@link OutboundMessage} → Baileys message contents, and the store of
 * recently sent messages Baileys reads when a recipient's phone asks for a resend.
 */
import type { AnyMessageContent, proto, WAMessageKey } from "@whiskeysockets/baileys";
import type { OutboundMessage } from "../../core/types.ts";
import { mediaMessageOf } from "./inbound.ts";

// WhatsApp formats *bold*, _italic_, ~strike~, `code` and ```mono```. Each marker gets a
// zero-width space on both sides: if WhatsApp reads it as a space the marker no longer
// touches the word inside; if it reads it as a letter the marker no longer starts at a word
// boundary. Either way no pair forms, and what the reader sees is unchanged.
const ZWSP = "\u200B";
const MARKERS = /[*_~`]/g;
// Links are left exactly as they are (an underscore in a URL must stay an underscore).
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

/** Makes plain text render literally on WhatsApp (links untouched; a leading "> " is no quote). */
export function escapeWhatsApp(text: string): string {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(URL)) {
    out += escapePlain(text.slice(last, match.index));
    out += match[0];
    last = match.index + match[0].length;
  }
  return out + escapePlain(text.slice(last));
}

function escapePlain(text: string): string {
  return text.replace(MARKERS, (m) => `${ZWSP}${m}${ZWSP}`).replace(/^>/gm, `${ZWSP}>`);
}

/** Undoes {@link escapeWhatsApp} (tests compare what a reader would see). */
export function unescapeWhatsApp(text: string): string {
  return text.replaceAll(ZWSP, "");
}

/**
 * The native messages for one outbound message, in send order: the text (choices arrive
 * already numbered in it from the messenger), then a location pin, then a forwarded media
 * file, then a document.
 */
export function toNativeContents(message: OutboundMessage): AnyMessageContent[] {
  const out: AnyMessageContent[] = [];
  const text = message.text.trim() ? escapeWhatsApp(message.text) : "";
  if (text) out.push({ text });
  if (message.location) {
    const { latitude, longitude, name, address } = message.location;
    out.push({ location: { degreesLatitude: latitude, degreesLongitude: longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) } });
  }
  // A file received earlier (a voice note passed to a partner) is forwarded as it is, after
  // the text: WhatsApp keeps the encrypted file, so nothing is downloaded or uploaded.
  const media = message.media ? mediaMessageOf(message.media) : undefined;
  if (media) out.push({ forward: media });
  if (message.file) {
    const { content, filename, mimeType } = message.file;
    out.push({ document: typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content), mimetype: mimeType, fileName: filename });
  }
  if (out.length === 0) out.push({ text: escapeWhatsApp(message.text) });
  return out;
}

/** Recently sent messages by id, bounded (oldest dropped first). */
export interface SentMessageStore {
  remember(key: WAMessageKey | null | undefined, message: proto.IMessage | null | undefined): void;
  /** Baileys' `getMessage`: the content of a message we sent, for a resend on retry. */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
  readonly size: number;
}

/**
 * Creates the store. Retry requests come within seconds to minutes of a send, so the last
 * `limit` messages in memory are enough; after a restart Baileys skips the resend and the
 * recipient sees "waiting for this message", which a new reply fixes.
 */
export function createSentMessageStore(limit = 1000): SentMessageStore {
  const messages = new Map<string, proto.IMessage>();
  return {
    remember(key, message) {
      if (!key?.id || !message) return;
      messages.delete(key.id);
      messages.set(key.id, message);
      while (messages.size > limit) messages.delete(messages.keys().next().value as string);
    },
    async getMessage(key) {
      return key.id ? messages.get(key.id) : undefined;
    },
    get size() {
      return messages.size;
    },
  };
}
