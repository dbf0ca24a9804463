/**
 * {@link OutboundMessage} → Bot API calls. The core's text is plain: everything is escaped
 * for parse_mode HTML, so a partner's "<b>" or "&" arrives literally.
 */
import { GrammyError, InputFile, type Api } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { ChannelError } from "../../core/errors.ts";
import { splitText } from "../../core/messenger.ts";
import type { Choice, OutboundMessage, SentMessage } from "../../core/types.ts";
import { callbackDataProblem } from "./callback-data.ts";
import { toChannelError } from "./errors.ts";
import { parseMediaRef, type TelegramFileKind } from "./inbound.ts";

/** Telegram's limit for one text message (after entity parsing). */
export const MAX_TEXT_LENGTH = 4096;

/** Escapes text for Telegram's HTML parse mode (the only characters it reserves). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One button per row: labels in Urdu are long and must not be cut on a phone. */
export function inlineKeyboard(choices: Choice[]): InlineKeyboardMarkup {
  for (const choice of choices) {
    const problem = callbackDataProblem(choice.data);
    // Checked before the call: Telegram would reject the whole message (BUTTON_DATA_INVALID).
    if (problem) throw new ChannelError("bad-request", `telegram: callback data "${choice.data}": ${problem}`);
  }
  // An empty label would make Telegram reject the whole message.
  return { inline_keyboard: choices.map((c) => [{ text: c.label.trim() || c.data, callback_data: c.data }]) };
}

/** Telegram's limit for a caption under a photo, voice note or file (after entity parsing). */
export const MAX_CAPTION_LENGTH = 1024;

/**
 * Sends one message: the text (split if it is still too long; the choices go under the
 * last part), then the location, then the file. A `media` file goes with the text as its
 * caption when it fits (1024 characters), else after the text as a message of its own.
 * Everything goes to the forum topic `threadId` when there is one. Throws {@link ChannelError}.
 */
export async function sendOutbound(api: Api, chatId: string, message: OutboundMessage): Promise<SentMessage> {
  const keyboard = message.choices?.length ? inlineKeyboard(message.choices) : undefined;
  const hasText = message.text.trim() !== "";
  const media = message.media?.channel === "telegram" ? parseMediaRef(message.media.ref) : undefined;
  if (!hasText && !message.location && !message.file && !media) throw new ChannelError("bad-request", "telegram: nothing to send (empty text)");
  const topic = message.threadId !== undefined && /^\d+$/.test(message.threadId) ? { message_thread_id: Number(message.threadId) } : {};
  // A video note takes no caption; anything else takes one of up to 1024 characters.
  const captioned = media && media.kind !== "video_note" && hasText && message.text.length <= MAX_CAPTION_LENGTH;
  let first: number | undefined;
  try {
    if (captioned) {
      first = await sendMedia(api, chatId, media, { caption: escapeHtml(message.text), parse_mode: "HTML", ...topic, ...(keyboard ? { reply_markup: keyboard } : {}) });
    } else if (hasText || keyboard) {
      const parts = splitText(hasText ? message.text : "…", MAX_TEXT_LENGTH);
      for (const [i, part] of parts.entries()) {
        const id = await sendText(api, chatId, part, i === parts.length - 1 ? keyboard : undefined, topic, 0, message.paidBroadcast);
        first ??= id;
      }
    }
    if (media && !captioned) {
      const id = await sendMedia(api, chatId, media, topic);
      first ??= id;
    }
    if (message.location) {
      const sent = await api.sendLocation(chatId, message.location.latitude, message.location.longitude, topic);
      first ??= sent.message_id;
    }
    if (message.file) {
      const { content, filename } = message.file;
      const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
      const sent = await api.sendDocument(chatId, new InputFile(bytes, filename), topic);
      first ??= sent.message_id;
    }
  } catch (error) {
    throw toChannelError(error);
  }
  return { messageId: String(first) };
}

type MediaOptions = { caption?: string; parse_mode?: "HTML"; message_thread_id?: number; reply_markup?: InlineKeyboardMarkup };

/** Sends a file Telegram already has, by `file_id`, with the method of its kind (nothing is uploaded). */
async function sendMedia(api: Api, chatId: string, media: { kind: TelegramFileKind; fileId: string }, options: MediaOptions): Promise<number> {
  const { fileId } = media;
  switch (media.kind) {
    case "voice":
      return (await api.sendVoice(chatId, fileId, options)).message_id;
    case "audio":
      return (await api.sendAudio(chatId, fileId, options)).message_id;
    case "video_note": {
      const { caption: _caption, parse_mode: _mode, ...rest } = options;
      return (await api.sendVideoNote(chatId, fileId, rest)).message_id;
    }
    case "photo":
      return (await api.sendPhoto(chatId, fileId, options)).message_id;
    case "animation":
      return (await api.sendAnimation(chatId, fileId, options)).message_id;
    case "video":
      return (await api.sendVideo(chatId, fileId, options)).message_id;
    case "document":
      return (await api.sendDocument(chatId, fileId, options)).message_id;
  }
}

/**
 * sendMessage in HTML with two guards: "can't parse entities" (cannot happen with escaped
 * text, but a Bot API change must not silence the bot) resends as plain text, and
 * "message is too long" (Telegram counting differently from us) resends in halves.
 */
async function sendText(api: Api, chatId: string, text: string, keyboard: InlineKeyboardMarkup | undefined, topic: { message_thread_id?: number } = {}, depth = 0, paid = false): Promise<number> {
  // A paid broadcast (an admin's announcement, TELEGRAM_PAID_BROADCAST): Telegram lifts the
  // broadcast limits to 1000 a second and takes 0.1 Star a message from the bot's balance.
  const markup = { ...(keyboard ? { reply_markup: keyboard } : {}), ...topic, ...(paid ? { allow_paid_broadcast: true } : {}) };
  try {
    return (await api.sendMessage(chatId, escapeHtml(text), { parse_mode: "HTML", ...markup })).message_id;
  } catch (error) {
    if (!(error instanceof GrammyError) || error.error_code !== 400 || depth > 0) throw error;
    if (/can't parse entities/i.test(error.description)) {
      return (await api.sendMessage(chatId, text, markup)).message_id;
    }
    if (/message is too long/i.test(error.description) && text.length > 1) {
      const [head, ...rest] = splitText(text, Math.ceil(text.length / 2));
      const id = await sendText(api, chatId, head!, undefined, topic, depth + 1, paid);
      for (const [i, part] of rest.entries()) await sendText(api, chatId, part, i === rest.length - 1 ? keyboard : undefined, topic, depth + 1, paid);
      return id;
    }
    throw error;
  }
}
