/**
 * Native Telegram update → {@link InboundMessage}. A pure function of the update and the
 * bot's own identity, so every case (commands with @botname, mentions in groups,
 * my_chat_member, forged callbacks) is tested without a network.
 */
import type { CallbackQuery, Chat, Message, Update, User } from "grammy/types";
import type { InboundContent, InboundMessage, MediaRef } from "../../core/types.ts";
import { validCoordinates } from "../../core/geo.ts";
import { callbackDataProblem } from "./callback-data.ts";

/** Who the bot is (from getMe). */
export interface BotIdentity {
  id: number;
  username: string;
}

/** What the adapter should do with an update. */
export type InboundDecision =
  | { action: "deliver"; message: InboundMessage; /** answer this button press at once */ callbackQueryId?: string }
  /** A button press whose data failed validation: answer it politely, do not pass it on. */
  | { action: "reject-callback"; callbackQueryId: string; languageHint?: string; problem: string }
  | { action: "ignore"; reason: string };

// Content the bot does not read; the core answers "text and locations only" in private chats.
const MEDIA = ["sticker", "voice", "audio", "photo", "video", "video_note", "animation", "document", "contact", "poll", "dice", "game", "story", "invoice", "paid_media", "checklist"] as const;

/** Decides what an update means for the core. */
export function toInbound(update: Update, me: BotIdentity): InboundDecision {
  if (update.message) return fromMessage(update.message, me);
  if (update.callback_query) return fromCallback(update.callback_query);
  if (update.my_chat_member) return fromMemberUpdate(update);
  // Edits are ignored: answering an edit would answer the same question twice, and the
  // edited text is rarely a new question (docs/decisions/0601-telegram-ignored-updates.md).
  if (update.edited_message) return { action: "ignore", reason: "edited message" };
  if (update.channel_post || update.edited_channel_post) return { action: "ignore", reason: "channel post" };
  return { action: "ignore", reason: `unhandled update: ${Object.keys(update).filter((k) => k !== "update_id").join(",")}` };
}

function fromMessage(msg: Message, me: BotIdentity): InboundDecision {
  if (msg.chat.type === "channel") return { action: "ignore", reason: "channel" };
  const migration = migrationOf(msg);
  if (migration) return migration;
  // A channel post copied into its linked discussion group: nobody asked the bot anything.
  if (msg.is_automatic_forward) return { action: "ignore", reason: "automatic forward from a linked channel" };
  const sender = senderOfMessage(msg);
  // Other bots are ignored: two bots answering each other loop forever. Anonymous admins
  // and posts "as a channel" come with a bot in `from` but a chat in `sender_chat`: people.
  if (!sender) return { action: "ignore", reason: "message from a bot" };
  const group = msg.chat.type !== "private";
  // In a forum topic every message "replies" to the topic's first message; that is no reply.
  const replyTo = msg.reply_to_message && !msg.reply_to_message.forum_topic_created ? msg.reply_to_message : undefined;
  const repliesToBot = replyTo?.from?.id === me.id;
  let content: InboundContent;
  let addressed = !group || repliesToBot;
  const written = msg.text ?? msg.caption;
  const voice = voiceOf(msg);
  if (voice) {
    content = { kind: "voice", media: voice };
  } else if (typeof written === "string" && (msg.text !== undefined || written.trim() !== "")) {
    const text = normaliseText(msg, me);
    if (text === undefined) return { action: "ignore", reason: "command for another bot" };
    const attachment = msg.text === undefined ? attachmentOf(msg) : undefined;
    content = { kind: "text", text: text.text, ...(attachment ? { attachment } : {}) };
    addressed ||= text.addressed;
  } else if (msg.venue || msg.location) {
    content = locationOf(msg);
  } else {
    const what = MEDIA.find((k) => k in msg);
    // Everything else is a service message (member joined, title changed, pinned, …).
    if (!what) return { action: "ignore", reason: "service message" };
    // Never downloaded: only the kind is passed on, whatever the size (a 10 MB document too).
    content = { kind: "unsupported", what };
  }
  const chat = chatOf(msg.chat);
  // Forum topics: replies go to the topic the message was written in.
  if (msg.is_topic_message && msg.message_thread_id !== undefined) chat.threadId = String(msg.message_thread_id);
  return {
    action: "deliver",
    message: {
      channel: "telegram",
      messageId: `${msg.chat.id}:${msg.message_id}`,
      chat,
      sender,
      addressedToBot: addressed,
      sentAt: new Date(msg.date * 1000),
      content,
      // The same form as SentMessage.messageId of the bot's own messages (a handover matches them).
      ...(replyTo ? { replyToMessageId: String(replyTo.message_id) } : {}),
    },
  };
}

/**
 * Who wrote: the user, or for an anonymous group admin (`sender_chat` is the group itself)
 * and a post "as a channel" (`sender_chat` is that channel) the chat they wrote as; then
 * `from` is a placeholder bot (GroupAnonymousBot, Channel_Bot). Undefined for real bots.
 */
function senderOfMessage(msg: Message): InboundMessage["sender"] | undefined {
  const as = msg.sender_chat;
  if (as) {
    const title = "title" in as && as.title ? as.title : undefined;
    return { id: String(as.id), ...(title ? { displayName: title } : {}), ...(msg.from?.language_code ? { languageHint: msg.from.language_code } : {}) };
  }
  if (!msg.from || msg.from.is_bot) return undefined;
  return senderOf(msg.from);
}

/**
 * A group upgraded to a supergroup gets a new id; Telegram sends two service messages, one
 * in the old chat (`migrate_to_chat_id`) and one in the new (`migrate_from_chat_id`). Both
 * become the same event (handling it twice is harmless); each has its own message id.
 */
function migrationOf(msg: Message): InboundDecision | undefined {
  const to = msg.migrate_to_chat_id;
  const from = msg.migrate_from_chat_id;
  if (to === undefined && from === undefined) return undefined;
  const fromChatId = String(from ?? msg.chat.id);
  const toChatId = String(to ?? msg.chat.id);
  const sender = senderOfMessage(msg) ?? { id: String(msg.chat.id) };
  return {
    action: "deliver",
    message: {
      channel: "telegram",
      messageId: `${msg.chat.id}:${msg.message_id}`,
      chat: chatOf(msg.chat),
      sender,
      addressedToBot: true,
      sentAt: new Date(msg.date * 1000),
      content: { kind: "event", event: "group-migrated", fromChatId, toChatId },
    },
  };
}

/**
 * Voice notes, audio files and round video notes: only a person can listen to them. The
 * file is never downloaded; its `file_id` (with the kind, so it is sent back with the same
 * method) is enough to send it on.
 */
function voiceOf(msg: Message): MediaRef | undefined {
  if (msg.voice) return media("voice", "voice", msg.voice.file_id, msg.voice.mime_type, msg.voice.duration);
  if (msg.audio) return media("audio", "audio", msg.audio.file_id, msg.audio.mime_type, msg.audio.duration, msg.audio.file_name);
  if (msg.video_note) return media("video", "video_note", msg.video_note.file_id, "video/mp4", msg.video_note.duration);
  return undefined;
}

/** The file a caption was written under. */
function attachmentOf(msg: Message): MediaRef | undefined {
  if (msg.photo?.length) return media("image", "photo", msg.photo.at(-1)!.file_id);
  if (msg.animation) return media("video", "animation", msg.animation.file_id, msg.animation.mime_type, msg.animation.duration, msg.animation.file_name);
  if (msg.video) return media("video", "video", msg.video.file_id, msg.video.mime_type, msg.video.duration, msg.video.file_name);
  if (msg.document) return media("document", "document", msg.document.file_id, msg.document.mime_type, undefined, msg.document.file_name);
  if (msg.audio) return media("audio", "audio", msg.audio.file_id, msg.audio.mime_type, msg.audio.duration, msg.audio.file_name);
  return undefined;
}

/** Telegram's own kinds of file, each sent with its own method (sendVoice, sendVideoNote, …). */
export type TelegramFileKind = "voice" | "audio" | "video_note" | "photo" | "animation" | "video" | "document";

function media(type: MediaRef["type"], kind: TelegramFileKind, fileId: string, mimeType?: string, duration?: number, filename?: string): MediaRef {
  return {
    channel: "telegram",
    type,
    ref: `${kind}:${fileId}`,
    ...(mimeType ? { mimeType } : {}),
    ...(typeof duration === "number" ? { durationSeconds: duration } : {}),
    ...(filename ? { filename } : {}),
  };
}

/** Reads a {@link MediaRef.ref} made here: Telegram's kind and `file_id`. */
export function parseMediaRef(ref: string): { kind: TelegramFileKind; fileId: string } | undefined {
  const at = ref.indexOf(":");
  const kind = ref.slice(0, at) as TelegramFileKind;
  const fileId = ref.slice(at + 1);
  const kinds: TelegramFileKind[] = ["voice", "audio", "video_note", "photo", "animation", "video", "document"];
  return at > 0 && fileId && kinds.includes(kind) ? { kind, fileId } : undefined;
}

/**
 * A pin or venue. A forged update can carry anything in its fields (999, 1e308, text):
 * out-of-range or non-numeric coordinates become an "invalid-location", which the core
 * answers with the valid ranges, and nothing is stored.
 */
function locationOf(msg: Message): InboundContent {
  const location = msg.venue?.location ?? msg.location;
  const { latitude, longitude } = (location ?? {}) as { latitude?: unknown; longitude?: unknown };
  if (!validCoordinates(latitude, longitude)) return { kind: "unsupported", what: "invalid-location" };
  const place = msg.venue ? { name: msg.venue.title, address: msg.venue.address } : {};
  return { kind: "location", latitude, longitude: longitude as number, ...place };
}

/**
 * `/cmd@thisbot args` → `/cmd args`; a mention of the bot is removed from the text and
 * marks the message as addressed. Undefined for `/cmd@otherbot` in a group.
 */
function normaliseText(msg: Message, me: BotIdentity): { text: string; addressed: boolean } | undefined {
  // A caption is read like a text: its entities are `caption_entities`.
  const original = msg.text ?? msg.caption ?? "";
  const entities = (msg.text !== undefined ? msg.entities : msg.caption_entities) ?? [];
  let text = original;
  let addressed = false;
  const command = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?=\s|$)/.exec(text);
  if (command) {
    const target = command[2];
    if (target && target.toLowerCase() !== me.username.toLowerCase()) {
      if (msg.chat.type !== "private") return undefined;
    } else {
      text = `/${command[1]}${text.slice(command[0].length)}`;
      addressed = true;
    }
  }
  // Entity offsets are UTF-16 units of the original text, as JS string indices are. The
  // command rewrite above only shortened the start, so later offsets move by `shift`;
  // mentions are removed from the end so earlier offsets stay valid.
  const shift = original.length - text.length;
  const mentions = entities
    .filter((e) => (e.type === "mention" && original.slice(e.offset, e.offset + e.length).toLowerCase() === `@${me.username.toLowerCase()}`) || (e.type === "text_mention" && e.user.id === me.id))
    .sort((a, b) => b.offset - a.offset);
  for (const e of mentions) {
    addressed = true;
    if (e.type !== "mention") continue;
    const at = e.offset - shift;
    if (at < 0) continue;
    text = `${text.slice(0, at)}${text.slice(at + e.length)}`;
  }
  if (mentions.length) text = text.replace(/[ \t]{2,}/g, " ").replace(/^[\s,:]+/, "").trim();
  return { text, addressed };
}

function fromCallback(query: CallbackQuery): InboundDecision {
  if (query.from.is_bot) return { action: "ignore", reason: "callback from a bot" };
  const problem = callbackDataProblem(query.data);
  if (problem) return { action: "reject-callback", callbackQueryId: query.id, languageHint: query.from.language_code, problem };
  const msg = query.message;
  // Buttons on inline-mode messages have no chat; the bot never sends such buttons.
  if (!msg) return { action: "reject-callback", callbackQueryId: query.id, languageHint: query.from.language_code, problem: "no message" };
  const data = query.data as string;
  const label = "reply_markup" in msg ? msg.reply_markup?.inline_keyboard.flat().find((b) => "callback_data" in b && b.callback_data === data)?.text : undefined;
  return {
    action: "deliver",
    callbackQueryId: query.id,
    message: {
      channel: "telegram",
      messageId: `cb:${query.id}`,
      chat: chatOf(msg.chat),
      sender: senderOf(query.from),
      // A button under the bot's own message is always meant for the bot.
      addressedToBot: true,
      sentAt: new Date(),
      content: { kind: "choice", data, ...(label ? { label } : {}) },
    },
  };
}

function fromMemberUpdate(update: Update): InboundDecision {
  const change = update.my_chat_member!;
  const was = change.old_chat_member.status;
  const now = change.new_chat_member.status;
  const inside = (s: string) => s === "member" || s === "administrator" || s === "creator" || s === "restricted";
  let event: "added-to-group" | "removed-from-group" | "blocked" | "unblocked" | undefined;
  if (change.chat.type === "private") {
    if (now === "kicked") event = "blocked";
    else if (was === "kicked" && inside(now)) event = "unblocked";
  } else if (change.chat.type === "group" || change.chat.type === "supergroup") {
    if (inside(now) && !inside(was)) event = "added-to-group";
    else if (!inside(now) && inside(was)) event = "removed-from-group";
  }
  if (!event) return { action: "ignore", reason: `my_chat_member ${change.chat.type} ${was}→${now}` };
  return {
    action: "deliver",
    message: {
      channel: "telegram",
      messageId: `mcm:${change.chat.id}:${change.date}:${now}`,
      chat: chatOf(change.chat),
      sender: senderOf(change.from),
      addressedToBot: true,
      sentAt: new Date(change.date * 1000),
      content: { kind: "event", event },
    },
  };
}

function chatOf(chat: Chat): InboundMessage["chat"] {
  if (chat.type === "private") return { id: String(chat.id), kind: "private" };
  return { id: String(chat.id), kind: "group", ...("title" in chat && chat.title ? { title: chat.title } : {}) };
}

function senderOf(user: User): InboundMessage["sender"] {
  const displayName = [user.first_name, user.last_name].filter(Boolean).join(" ").trim();
  return {
    id: String(user.id),
    ...(displayName ? { displayName } : {}),
    ...(user.language_code ? { languageHint: user.language_code } : {}),
  };
}
