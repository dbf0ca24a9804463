/**
 * The channel-agnostic message model. Adapters translate native updates into
 * {@link InboundMessage} and {@link OutboundMessage} into native calls; the core and the
 * features see only these types and never import grammY or Baileys.
 */

/** Channels the bot speaks on. */
export type ChannelId = "telegram" | "whatsapp" | "console" | "whatsapp-cloud";

/** Every channel id, for code that walks them all (the inbox replay, the outbox worker). */
export const CHANNEL_IDS: readonly ChannelId[] = ["telegram", "whatsapp", "console", "whatsapp-cloud"] as const;

/** Reply languages: English, Urdu script, Roman Urdu. */
export type Lang = "en" | "ur" | "ur-Latn";

/** All supported languages, in menu order. */
export const LANGS: readonly Lang[] = ["en", "ur", "ur-Latn"] as const;

/**
 * A platform's handle on a media file (a voice note, a photo), enough for the adapter that
 * made it to forward or copy it later (a handover passes a voice note to a partner). The
 * core stores it and hands it back; it never looks inside `ref`.
 */
export interface MediaRef {
  channel: ChannelId;
  /** What the file is. */
  type: "voice" | "audio" | "image" | "video" | "document";
  /** Adapter-private: Telegram's `file_id`, a WhatsApp message key, a Cloud API media id. */
  ref: string;
  mimeType?: string;
  durationSeconds?: number;
  filename?: string;
}

/** The kinds of content a person can send. */
export type InboundContent =
  /** Typed text, or the caption under a photo, video or document (`attachment` says which). */
  | { kind: "text"; text: string; attachment?: MediaRef }
  /** A voice note or an audio file: only a person can hear it (see the handover). */
  | { kind: "voice"; media: MediaRef }
  /** A choice picked from buttons (Telegram) or resolved from a numbered reply. */
  | { kind: "choice"; data: string; label?: string }
  | { kind: "location"; latitude: number; longitude: number; name?: string; address?: string }
  /** Something the bot does not read: sticker, voice note, image, poll, … */
  | { kind: "unsupported"; what: string }
  /** Platform events: the bot added to / removed from a group, a user blocking it. */
  | { kind: "event"; event: "added-to-group" | "removed-from-group" | "blocked" | "unblocked" }
  /** A group got a new chat id (Telegram group → supergroup upgrade): whatever is stored under the old id moves. */
  | { kind: "event"; event: "group-migrated"; fromChatId: string; toChatId: string };

/** One message from a person (or a platform event) in the shape the core understands. */
export interface InboundMessage {
  channel: ChannelId;
  /** The platform's message id, unique per channel; used to handle redeliveries once. */
  messageId: string;
  /** Where to reply: a private chat or a group. */
  chat: {
    id: string;
    kind: "private" | "group";
    title?: string;
    /** A forum topic (Telegram `message_thread_id`): replies go to the same topic. */
    threadId?: string;
  };
  sender: {
    /** Stable id of the person on this channel (Telegram user id, WhatsApp JID). */
    id: string;
    displayName?: string;
    /** The platform's language hint (Telegram `language_code`), if any. */
    languageHint?: string;
    /** Other ids of the same person (WhatsApp phone JID and LID), mapped to one user. */
    aliases?: string[];
  };
  /** In groups, true when the message is addressed to the bot (command or mention). */
  addressedToBot?: boolean;
  sentAt: Date;
  content: InboundContent;
  /**
   * The platform id of the message this one replies to (Telegram `reply_to_message`, WhatsApp
   * quoted), in the form {@link SentMessage.messageId} gives for the bot's own messages.
   */
  replyToMessageId?: string;
}

/** A choice the user can pick: a button on Telegram, a numbered line elsewhere. */
export interface Choice {
  /** Opaque data routed back as `{kind:"choice", data}`; at most 64 bytes (Telegram's limit). */
  data: string;
  label: string;
}

/** A file to send where the channel can (an .ics calendar entry, a CSV export). */
export interface OutboundFile {
  filename: string;
  mimeType: string;
  content: string | Uint8Array;
}

/**
 * One reply or announcement. `text` is plain text: adapters escape it for their format
 * (HTML on Telegram, WhatsApp's markers), so user- or partner-supplied text is always safe.
 */
export interface OutboundMessage {
  text: string;
  choices?: Choice[];
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  file?: OutboundFile;
  /**
   * A media file received earlier on the same channel, sent again with `text` as its caption
   * (Telegram by `file_id`, WhatsApp by re-sending the stored media). Adapters that cannot
   * (`capabilities.media` false) send the text alone.
   */
  media?: MediaRef;
  /** A forum topic in the target group (Telegram `message_thread_id`). */
  threadId?: string;
  /**
   * What an announcement is for, with its values, so a channel that may write first only
   * with a pre-approved template (WhatsApp Cloud API outside the 24-hour window) can send
   * that template instead of `text`. Other channels ignore it.
   */
  template?: TemplateRequest;
  /**
   * An admin's announcement sent as a Telegram paid broadcast (`allow_paid_broadcast`: up to
   * 1000 messages a second for 0.1 Star each). Other channels ignore it.
   */
  paidBroadcast?: boolean;
}

/** Purposes an announcement can have a pre-approved template for (content/whatsapp/templates.json). */
export type TemplatePurpose = "event-announcement" | "event-reminder" | "progress-nudge";

/** A template to send in place of free text: its purpose and the values of its named parameters. */
export interface TemplateRequest {
  purpose: TemplatePurpose;
  /** The recipient's language: the template's approved translation to use. */
  lang: Lang;
  /** Parameter values by name (`title`, `date`, `venue` …), in the recipient's language. */
  parameters: Record<string, string>;
}

/** What a channel can do; the core adapts replies to it. */
export interface ChannelCapabilities {
  /** Inline buttons; without them choices become a numbered list. */
  buttons: boolean;
  location: boolean;
  files: boolean;
  groups: boolean;
  /** Can send back a {@link MediaRef} it received (a voice note passed to a partner). */
  media?: boolean;
  /** Longest text one message may carry. */
  maxTextLength: number;
  /**
   * With `buttons`: the most choices, and the longest label, the channel can show as
   * buttons (WhatsApp Cloud API: a list of 10 rows of 24 characters); more become a numbered
   * list. Unset: any number.
   */
  choiceLimit?: { count: number; labelLength: number };
}

/** What the platform returned for a sent message. */
export interface SentMessage {
  messageId: string;
}

/**
 * The core's entry point that an adapter hands each inbound message to. It resolves once
 * the message is safe (stored in the inbox, or handled); an adapter whose platform
 * redelivers acknowledges a message only after that, and not at all when it rejects.
 */
export type InboundHandler = (message: InboundMessage) => Promise<void>;

/**
 * A channel adapter. It translates, and does nothing else: no decisions, no database.
 * `send` throws {@link ChannelError} for platform failures.
 */
export interface Adapter {
  readonly channel: ChannelId;
  readonly capabilities: ChannelCapabilities;
  /**
   * True when the platform delivers a message again until the adapter acknowledges it
   * (Telegram: the getUpdates offset, a webhook's 2xx). Such an adapter gets a handler that
   * resolves as soon as the message is stored; others get one that resolves once handled.
   */
  readonly redelivers?: boolean;
  /** Starts receiving; every inbound message goes to `handler`. */
  start(handler: InboundHandler): Promise<void>;
  /** Stops receiving and waits for in-flight handler calls to finish. */
  stop(): Promise<void>;
  /** Sends one message to a chat. */
  send(chatId: string, message: OutboundMessage): Promise<SentMessage>;
}
