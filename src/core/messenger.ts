/**
 * Sends an {@link OutboundMessage} on any running channel, adapted to what the channel can
 * do: long text split at paragraph boundaries, choices as buttons or as a numbered list
 * (remembered per user so a reply "2" means the second choice; the database `hot` path stores them).
 */
import type { HotPath } from "../db/hot-path.ts";
import type { I18n } from "../i18n/index.ts";
import type { Adapter, ChannelCapabilities, ChannelId, Choice, Lang, OutboundMessage, SentMessage } from "./types.ts";

/** Where a message goes. */
export interface Target {
  channel: ChannelId;
  chatId: string;
  /** The recipient's user id, for private chats: numbered choices are stored for them. */
  userId?: number;
  lang: Lang;
}

/** Sends messages on the registered channels. */
export interface Messenger {
  register(adapter: Adapter): void;
  unregister(channel: ChannelId): void;
  /** Capabilities of a running channel, undefined when it is not running. */
  capabilities(channel: ChannelId): ChannelCapabilities | undefined;
  /** Sends one message (possibly as several parts); throws ChannelError from the adapter. */
  send(target: Target, message: OutboundMessage): Promise<SentMessage[]>;
}

/** Creates a {@link Messenger} over the database (for stored choices) and translations. */
export function createMessenger(deps: { hot: HotPath; i18n: I18n }): Messenger {
  const adapters = new Map<ChannelId, Adapter>();
  return {
    register: (adapter) => void adapters.set(adapter.channel, adapter),
    unregister: (channel) => void adapters.delete(channel),
    capabilities: (channel) => adapters.get(channel)?.capabilities,
    async send(target, message) {
      const adapter = adapters.get(target.channel);
      if (!adapter) throw new Error(`channel ${target.channel} is not running`);
      const caps = adapter.capabilities;
      let text = message.text;
      if (message.choices?.length && !caps.buttons) {
        text = `${text}\n\n${numberedList(message.choices)}\n\n${deps.i18n.t(target.lang)("common:choices.replyWithNumber")}`;
      }
      if (message.choices?.length && target.userId !== undefined) {
        await rememberChoices(deps.hot, target.userId, caps.buttons ? [] : message.choices);
      }
      const parts = splitText(text, caps.maxTextLength);
      const sent: SentMessage[] = [];
      for (const [i, part] of parts.entries()) {
        const last = i === parts.length - 1;
        sent.push(
          await adapter.send(target.chatId, {
            text: part,
            choices: last && caps.buttons ? message.choices : undefined,
            location: last && caps.location ? message.location : undefined,
            file: last && caps.files ? message.file : undefined,
          }),
        );
      }
      return sent;
    },
  };
}

/** "1. Going\n2. Maybe" */
export function numberedList(choices: Choice[]): string {
  return choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n");
}

async function rememberChoices(hot: HotPath, userId: number, choices: Choice[]): Promise<void> {
  await hot.rememberChoices(userId, JSON.stringify(choices.map(({ data, label }) => ({ data, label }))), new Date());
}

/**
 * Splits text into parts of at most `max` characters, preferring paragraph breaks, then
 * line breaks, then spaces; never splits a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = window.lastIndexOf("\n\n");
    if (cut < max / 2) cut = window.lastIndexOf("\n");
    if (cut < max / 2) cut = window.lastIndexOf(" ");
    if (cut <= 0) cut = max;
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1] ?? "")) cut -= 1;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}
