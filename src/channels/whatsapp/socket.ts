/**
 * The part of Baileys' socket the adapter uses, so tests can pass a fake one. The default
 * factory is Baileys' own `makeWASocket`.
 */
import makeWASocket, {
  makeCacheableSignalKeyStore,
  type AnyMessageContent,
  type AuthenticationState,
  type BaileysEventMap,
  type ConnectionState,
  type WAMessage,
  type WAMessageKey,
  type proto,
} from "@whiskeysockets/baileys";
import type { ILogger } from "./baileys-logger.ts";

/** The events the adapter listens to. */
export type WhatsAppEvents = Pick<BaileysEventMap, "messages.upsert" | "messages.update" | "connection.update" | "creds.update">;

/** An event emitter over {@link WhatsAppEvents} (Baileys' `ev`, or a Node EventEmitter in tests). */
export interface WhatsAppEventEmitter {
  on<E extends keyof WhatsAppEvents>(event: E, listener: (arg: WhatsAppEvents[E]) => void): unknown;
  off<E extends keyof WhatsAppEvents>(event: E, listener: (arg: WhatsAppEvents[E]) => void): unknown;
  emit<E extends keyof WhatsAppEvents>(event: E, arg: WhatsAppEvents[E]): boolean;
}

/** What the adapter needs from a socket. */
export interface WhatsAppSocket {
  ev: WhatsAppEventEmitter;
  /** The linked account once connected: phone JID (`id`) and LID (`lid`). */
  user?: { id: string; lid?: string; name?: string } | undefined;
  sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined>;
  end(error: Error | undefined): unknown;
  logout(msg?: string): Promise<void>;
  requestPairingCode?(phoneNumber: string): Promise<string>;
}

/** What a socket is made from. */
export interface SocketOptions {
  auth: AuthenticationState;
  logger: ILogger;
  /** Baileys asks for a sent message when the recipient's phone requests a retry. */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
}

/** Makes a socket (Baileys' by default; a fake in tests). */
export type SocketFactory = (options: SocketOptions) => WhatsAppSocket;

/** The real thing: Baileys' `makeWASocket` with settings for a bot. */
export const baileysSocketFactory: SocketFactory = (options) =>
  makeWASocket({
    auth: { creds: options.auth.creds, keys: makeCacheableSignalKeyStore(options.auth.keys, options.logger) },
    logger: options.logger,
    getMessage: options.getMessage,
    // Leave the phone showing notifications; the bot does not need to look "online".
    markOnlineOnConnect: false,
    // Old chats are not the bot's business. Baileys' default still takes the initial
    // bootstrap sync, which carries LID↔phone mappings and app-state keys.
    syncFullHistory: false,
  }) as unknown as WhatsAppSocket;

/** Shortcut for a `connection.update` payload. */
export type ConnectionUpdate = Partial<ConnectionState>;
