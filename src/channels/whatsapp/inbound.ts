/**
 * A Baileys message (`messages.upsert`) → the core's {@link InboundMessage}, or a reason to
 * skip it. Pure apart from `resolveAlias` (the LID↔phone mapping store), so the recorded
 * fixtures test it directly.
 */
import {
  isJidBot,
  isJidMetaAI,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  type MessageUpsertType,
  type WAMessage,
  type WAMessageKey,
} from "@whiskeysockets/baileys";
import type { InboundContent, InboundMessage, MediaRef } from "../../core/types.ts";

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

// What businesses and bots send (buttons, templates, lists, payment requests) and answers
// to another business's buttons (the bot never sends buttons): never answered, so two bots
// cannot keep each other talking.
const AUTOMATED = new Set([
  "buttonsMessage", "templateMessage", "interactiveMessage", "listMessage", "highlyStructuredMessage",
  "buttonsResponseMessage", "listResponseMessage", "templateButtonReplyMessage", "interactiveResponseMessage",
  "requestPaymentMessage", "sendPaymentMessage", "paymentInviteMessage", "declinePaymentRequestMessage",
  "cancelPaymentRequestMessage", "requestPhoneNumberMessage", "newsletterAdminInviteMessage",
]);

// The wrappers Baileys' normalizeMessageContent opens, searched for an edit inside them.
const WRAPPERS = [
  "ephemeralMessage", "viewOnceMessage", "documentWithCaptionMessage", "viewOnceMessageV2", "viewOnceMessageV2Extension",
  "associatedChildMessage", "groupStatusMessage", "groupStatusMessageV2",
] as const;

// Things a person sends that the bot cannot read: they get a polite note (a photo, video
// or document with a caption is read as text).
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
  const author = key.participant ?? remoteJid;
  if (isJidMetaAI(author) || isJidBot(author)) return skip("automated sender (a bot account)");
  // Group notices, call logs, "messages are end-to-end encrypted"…: WhatsApp's own stubs.
  if (msg.messageStubType) return skip("system message (stub)");
  // An edit is never a new question, in any of its shapes (decision 0708).
  if (isEdit(msg.message)) return skip("edited message");
  // A status (story) shared into a group, or a mention of someone in a status: not a question.
  if (isStory(msg.message)) return skip("status update (story)");
  const automated = automatedType(msg);
  if (automated) return skip(`automated sender (${automated})`);
  const group = Boolean(isJidGroup(remoteJid));
  if (group && !ctx.groups) return skip("group (WHATSAPP_GROUPS is off)");
  const sentAt = timestampOf(msg) ?? ctx.now();
  if (type === "append" && ctx.now().getTime() - sentAt.getTime() > APPEND_MAX_AGE_MS) return skip("old history");

  const content = contentOf(msg.message, key);
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
  // The quoted message's id: the same as SentMessage.messageId of the bot's own messages.
  const quoted = contextInfoOf(msg.message)?.stanzaId;
  if (quoted) message.replyToMessageId = quoted;
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

/**
 * Whether the message is an edit: `editedMessage` (the business shape:
 * `editedMessage.message.protocolMessage.editedMessage`) or a `protocolMessage` of type
 * MESSAGE_EDIT, also inside the ephemeral / view-once wrappers.
 */
export function isEdit(raw: proto.IMessage | null | undefined): boolean {
  let message = raw;
  for (let depth = 0; message && depth < 6; depth++) {
    if (message.editedMessage) return true;
    if (message.protocolMessage?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT || message.protocolMessage?.editedMessage) return true;
    const wrapper = WRAPPERS.find((w) => message?.[w]);
    message = wrapper ? message[wrapper]?.message : undefined;
  }
  return false;
}

const STORY = ["groupStatusMessage", "groupStatusMessageV2", "groupStatusMentionMessage", "statusMentionMessage"] as const;

/** Whether the message is a status update (story) in one of the shapes that reach a chat. */
function isStory(raw: proto.IMessage | null | undefined): boolean {
  const outer = raw?.ephemeralMessage?.message ?? raw;
  return STORY.some((k) => Boolean(outer?.[k]));
}

/**
 * The content type that marks an automated sender, if any: a business's buttons, template,
 * list or payment request, or a message a known bot marked (Meta AI's bot metadata, the
 * `BAE5…` ids older Baileys versions give every message they send).
 */
function automatedType(msg: WAMessage): string | undefined {
  const message = normalizeMessageContent(msg.message);
  if (!message) return undefined;
  const record = message as Record<string, unknown>;
  const type = Object.keys(record).find((k) => record[k] !== null && record[k] !== undefined && AUTOMATED.has(k));
  if (type) return type;
  if (message.messageContextInfo?.botMetadata) return "bot metadata";
  const id = msg.key?.id ?? "";
  if (/^BAE5[0-9A-F]{12}$/.test(id)) return "Baileys message id";
  return undefined;
}

/** The contextInfo of whatever the message holds (a quote lives there). */
function contextInfoOf(raw: proto.IMessage | null | undefined): proto.IContextInfo | undefined {
  const message = normalizeMessageContent(raw);
  if (!message) return undefined;
  const type = contentType(message);
  const inner = type ? ((message as Record<string, unknown>)[type] as { contextInfo?: proto.IContextInfo } | undefined) : undefined;
  return inner && typeof inner === "object" ? (inner.contextInfo ?? undefined) : undefined;
}

/**
 * A handle to send a received file again: the message key and the media message alone
 * (no quote, no context), encoded as protobuf, base64. Baileys forwards it without
 * downloading anything (WhatsApp's servers keep the encrypted file for a while).
 */
export function mediaRefOf(key: WAMessageKey, message: proto.IMessage, type: MediaRef["type"], extra: Omit<MediaRef, "channel" | "type" | "ref">): MediaRef {
  const field = contentType(message)!;
  const inner = { ...((message as Record<string, unknown>)[field] as Record<string, unknown>), contextInfo: undefined };
  const bytes = proto.Message.encode(proto.Message.fromObject({ [field]: inner })).finish();
  const ref = JSON.stringify({ key: { remoteJid: key.remoteJid, id: key.id, fromMe: key.fromMe ?? false, ...(key.participant ? { participant: key.participant } : {}) }, message: Buffer.from(bytes).toString("base64") });
  const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined && v !== null && v !== ""));
  return { channel: "whatsapp", type, ref, ...defined };
}

/** The message a {@link MediaRef} of this channel stands for (what `{ forward }` sends), or undefined. */
export function mediaMessageOf(ref: MediaRef): WAMessage | undefined {
  if (ref.channel !== "whatsapp") return undefined;
  try {
    const parsed = JSON.parse(ref.ref) as { key?: WAMessageKey; message?: string };
    if (!parsed.key || typeof parsed.message !== "string") return undefined;
    return { key: parsed.key, message: proto.Message.decode(Buffer.from(parsed.message, "base64")) };
  } catch {
    return undefined;
  }
}

/** Reads the message content; undefined for messages nobody needs to see. */
export function contentOf(raw: proto.IMessage | null | undefined, key?: WAMessageKey): InboundContent | undefined {
  const message = normalizeMessageContent(raw);
  if (!message) return undefined;
  const type = contentType(message);
  if (!type || SILENT.has(type)) return undefined;
  const withKey = key ?? { id: "", remoteJid: "" };
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
  if (type === "audioMessage") {
    const audio = message.audioMessage!;
    return { kind: "voice", media: mediaRefOf(withKey, message, audio.ptt ? "voice" : "audio", { mimeType: audio.mimetype ?? undefined, durationSeconds: audio.seconds ?? undefined }) };
  }
  const captioned = captionOf(message, type, withKey);
  if (captioned) return captioned;
  return { kind: "unsupported", what: UNSUPPORTED[type] ?? type.replace(/Message$/, "") };
}

/** A photo, video or document with a caption: the caption is the message. */
function captionOf(message: proto.IMessage, type: string, key: WAMessageKey): InboundContent | undefined {
  const file =
    type === "imageMessage" ? { m: message.imageMessage, t: "image" as const }
    : type === "videoMessage" ? { m: message.videoMessage, t: "video" as const }
    : type === "documentMessage" ? { m: message.documentMessage, t: "document" as const }
    : undefined;
  const caption = file?.m?.caption ?? "";
  if (!file?.m || caption.trim() === "") return undefined;
  const seconds = "seconds" in file.m ? (file.m.seconds ?? undefined) : undefined;
  const filename = "fileName" in file.m ? (file.m.fileName ?? undefined) : undefined;
  return { kind: "text", text: caption, attachment: mediaRefOf(key, message, file.t, { mimeType: file.m.mimetype ?? undefined, durationSeconds: seconds, filename }) };
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
  // A text's or a caption's context: mentions and the quoted message live there.
  const info = contextInfoOf(raw);
  const mentioned = (info?.mentionedJid ?? []).map((j) => jidNormalizedUser(j));
  if (mentioned.some((j) => mine.includes(j))) return true;
  return Boolean(info?.participant && mine.includes(jidNormalizedUser(info.participant)));
}
