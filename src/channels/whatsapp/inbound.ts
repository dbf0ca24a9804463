/**
 * A Baileys message (`messages.upsert`) → the core's {@link InboundMessage}, or a reason to
 * skip it. Pure apart from `resolveAlias` (the LID↔phone mapping store), so the recorded
 * fixtures test it directly.
 */
import {
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  type MessageUpsertType,
  type proto,
  type WAMessage,
} from "@whiskeysockets/baileys";
import type { InboundContent, InboundMessage } from "../../core/types.ts";

/** What the conversion needs to know besides the message. */
export interface InboundContext {
  /** Answer in groups (config.whatsapp.groups). */
  groups: boolean;
  /** The bot's own JIDs (phone and LID), to spot mentions and replies to it in groups. */
  me: { id?: string; lid?: string };
  /** The other form of a person's JID (phone ↔ LID), from Baileys' lid-mapping store. */
  resolveAlias(jid: string): Promise<string | undefined>;
  now(): Date;
}

/** The conversion's answer: a message for the core, or why it was skipped. */
export type InboundResult = { ok: true; message: InboundMessage } | { ok: false; reason: string };

/** `append` upserts older than this are history, not something to answer now. */
export const APPEND_MAX_AGE_MS = 24 * 60 * 60_000;

// Content types that are not for the reader: receipts of reactions, edits, key exchange.
const SILENT = new Set([
  "reactionMessage", "encReactionMessage", "protocolMessage", "senderKeyDistributionMessage", "messageContextInfo",
  "pollUpdateMessage", "keepInChatMessage", "pinInChatMessage", "editedMessage", "deviceSentMessage", "callLogMesssage",
  "secretEncryptedMessage", "encEventResponseMessage", "botInvokeMessage",
]);

// Things a person sends that the bot cannot read: they get a polite note.
const UNSUPPORTED: Record<string, string> = {
  stickerMessage: "sticker",
  imageMessage: "image",
  videoMessage: "video",
  ptvMessage: "video",
  documentMessage: "document",
  contactMessage: "contact",
  contactsArrayMessage: "contact",
  pollCreationMessage: "poll",
  pollCreationMessageV2: "poll",
  pollCreationMessageV3: "poll",
  pollCreationMessageV5: "poll",
  eventMessage: "event",
  groupInviteMessage: "group-invite",
  productMessage: "product",
  orderMessage: "order",
  lottieStickerMessage: "sticker",
  stickerPackMessage: "sticker",
};

/** Converts one upserted message. */
export async function toInbound(msg: WAMessage, type: MessageUpsertType, ctx: InboundContext): Promise<InboundResult> {
  const key = msg.key;
  const remoteJid = key?.remoteJid ?? "";
  if (!key?.id || !remoteJid) return skip("no key");
  if (key.fromMe) return skip("own message");
  if (isJidStatusBroadcast(remoteJid)) return skip("status broadcast");
  if (isJidBroadcast(remoteJid) || isJidNewsletter(remoteJid)) return skip("broadcast list or channel");
  const group = Boolean(isJidGroup(remoteJid));
  if (group && !ctx.groups) return skip("group (WHATSAPP_GROUPS is off)");
  const sentAt = timestampOf(msg) ?? ctx.now();
  if (type === "append" && ctx.now().getTime() - sentAt.getTime() > APPEND_MAX_AGE_MS) return skip("old history");

  const content = contentOf(msg.message);
  if (!content) return skip(msg.message ? "silent message type" : "no content (stub or undecryptable)");

  const rawSender = group ? (key.participant ?? "") : remoteJid;
  if (!rawSender) return skip("group message without participant");
  const alt = group ? key.participantAlt : key.remoteJidAlt;
  const { id, aliases } = await identify(rawSender, alt, ctx);
  const chatId = group ? remoteJid : jidNormalizedUser(remoteJid);
  const message: InboundMessage = {
    channel: "whatsapp",
    // key.id is the sender device's own id for the message: the same on every redelivery
    // and replay, whichever addressing form (phone or LID) it arrives under.
    messageId: key.id,
    chat: { id: chatId, kind: group ? "group" : "private" },
    sender: { id, ...(aliases.length ? { aliases } : {}), ...(msg.pushName ? { displayName: msg.pushName } : {}) },
    sentAt,
    content,
  };
  if (group) message.addressedToBot = addressedToBot(msg.message, content, ctx.me);
  return { ok: true, message };
}

function skip(reason: string): InboundResult {
  return { ok: false, reason };
}

/**
 * The person's id is their phone JID when known (admins are configured by number) and
 * the LID otherwise; the other form goes to `aliases` so both map to one user.
 */
async function identify(rawSender: string, alt: string | undefined | null, ctx: InboundContext): Promise<{ id: string; aliases: string[] }> {
  const sender = jidNormalizedUser(rawSender);
  const other = alt ? jidNormalizedUser(alt) : await ctx.resolveAlias(sender).catch(() => undefined);
  if (!other || other === sender) return { id: sender, aliases: [] };
  if (isLidUser(sender) && isPnUser(other)) return { id: other, aliases: [sender] };
  return { id: sender, aliases: [other] };
}

/** Reads the message content; undefined for messages nobody needs to see. */
export function contentOf(raw: proto.IMessage | null | undefined): InboundContent | undefined {
  const message = normalizeMessageContent(raw);
  if (!message) return undefined;
  const type = contentType(message);
  if (!type || SILENT.has(type)) return undefined;
  if (type === "conversation") return { kind: "text", text: message.conversation ?? "" };
  if (type === "extendedTextMessage") return { kind: "text", text: message.extendedTextMessage?.text ?? "" };
  if (type === "locationMessage" || type === "liveLocationMessage") {
    const loc = message.locationMessage ?? message.liveLocationMessage;
    const latitude = Number(loc?.degreesLatitude);
    const longitude = Number(loc?.degreesLongitude);
    if (!validCoordinates(latitude, longitude)) return { kind: "unsupported", what: "invalid-location" };
    const named = message.locationMessage;
    return {
      kind: "location",
      latitude,
      longitude,
      ...(named?.name ? { name: named.name } : {}),
      ...(named?.address ? { address: named.address } : {}),
    };
  }
  if (type === "audioMessage") return { kind: "unsupported", what: message.audioMessage?.ptt ? "voice" : "audio" };
  return { kind: "unsupported", what: UNSUPPORTED[type] ?? type.replace(/Message$/, "") };
}

/** The first field that holds content (Baileys' getContentType, ignoring null fields). */
function contentType(message: proto.IMessage): string | undefined {
  const record = message as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== null && record[k] !== undefined);
  if (keys.includes("conversation")) return "conversation";
  // Like Baileys' getContentType: "…Message…" fields (pollCreationMessageV3 too).
  return keys.find((k) => k.includes("Message") && k !== "senderKeyDistributionMessage");
}

/** Real coordinates: finite, in range, and not the (0,0) "null island" of a broken GPS. */
export function validCoordinates(latitude: number, longitude: number): boolean {
  return (
    Number.isFinite(latitude) && Number.isFinite(longitude) &&
    Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 &&
    !(latitude === 0 && longitude === 0)
  );
}

function timestampOf(msg: WAMessage): Date | undefined {
  const ts = msg.messageTimestamp as unknown;
  const seconds = typeof ts === "object" && ts !== null && "toNumber" in ts ? (ts as { toNumber(): number }).toNumber() : Number(ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
}

/** In a group: a mention of the bot, a reply to one of its messages, or a /command. */
function addressedToBot(raw: proto.IMessage | null | undefined, content: InboundContent, me: InboundContext["me"]): boolean {
  if (content.kind === "text" && content.text.trim().startsWith("/")) return true;
  const mine = [me.id, me.lid].filter((j): j is string => Boolean(j)).map((j) => jidNormalizedUser(j));
  if (mine.length === 0) return false;
  const info = normalizeMessageContent(raw)?.extendedTextMessage?.contextInfo;
  const mentioned = (info?.mentionedJid ?? []).map((j) => jidNormalizedUser(j));
  if (mentioned.some((j) => mine.includes(j))) return true;
  return Boolean(info?.participant && mine.includes(jidNormalizedUser(info.participant)));
}
