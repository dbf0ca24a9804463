/**
 * The WhatsApp adapter (Baileys 7, linked-device protocol). It translates and nothing else:
 * Baileys messages → InboundMessage, OutboundMessage → Baileys sends, Baileys/Boom errors →
 * ChannelError. The session (credentials, Signal keys) lives in the database, one process
 * holds a number at a time, and announcements are paced by the outbox worker, not here.
 * See docs/whatsapp.md.
 */
import { isJidGroup, isLidUser, isPnUser } from "@whiskeysockets/baileys";
import type { AppDeps } from "../../core/context.ts";
import { ChannelError } from "../../core/errors.ts";
import type { Adapter, ChannelCapabilities, InboundHandler, OutboundMessage, SentMessage } from "../../core/types.ts";
import { createAckWatch, type AckWatch, type LateRefusal } from "./acks.ts";
import { toChannelError } from "./errors.ts";
import { toInbound } from "./inbound.ts";
import { toNativeContents } from "./outbound.ts";
import { createWhatsAppSession, LOGIN_COMMAND, type BackoffPolicy, type EndReason, type StartResult, type WhatsAppSession } from "./session.ts";
import type { SocketFactory } from "./socket.ts";

export { toChannelError } from "./errors.ts";
export type { SocketFactory, WhatsAppSocket } from "./socket.ts";

/**
 * WhatsApp shows up to 65,536 characters in one text, but past a few thousand the phone
 * folds it behind "Read more"; 4096 keeps parts readable and matches Telegram's splitting.
 */
export const WHATSAPP_MAX_TEXT = 4096;

/** Extra settings, mostly for tests (a fake socket, instant backoff). */
export interface WhatsAppChannelOptions {
  session?: string;
  socketFactory?: SocketFactory;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  backoff?: BackoffPolicy;
  lease?: { owner?: string; ttlMs?: number };
  /** How often a process that was refused the number checks whether it became free (ms). */
  standbyRetryMs?: number;
  /** How long `start` waits for the first connection before carrying on in the background (ms). */
  openTimeoutMs?: number;
  /**
   * How long a send waits for WhatsApp to refuse it (an error ack) before counting it as
   * accepted (ms, default 1500). A delivery receipt ends the wait early.
   */
  ackWindowMs?: number;
}

/** The adapter plus what operators and tests can look at. */
export interface WhatsAppAdapter extends Adapter {
  /** The current session (a new one after a standby takeover). */
  readonly session: WhatsAppSession;
  /** What the last start attempt found. */
  readonly status: StartResult["status"] | "stopped" | EndReason["kind"];
}

/** Creates the WhatsApp adapter; `src/cli/run.ts` calls it for `seller-bot start`. */
export async function createWhatsAppChannel(deps: AppDeps, options: WhatsAppChannelOptions = {}): Promise<WhatsAppAdapter> {
  const log = deps.log.child({ channel: "whatsapp" });
  const capabilities: ChannelCapabilities = {
    buttons: false,
    location: true,
    files: true,
    groups: deps.config.whatsapp.groups,
    media: true,
    maxTextLength: WHATSAPP_MAX_TEXT,
  };
  let handler: InboundHandler | undefined;
  let accepting = false;
  let status: WhatsAppAdapter["status"] = "stopped";
  // Messages are converted one after another (the alias lookup is async) so one person's
  // messages reach the core in the order WhatsApp delivered them.
  let chain: Promise<void> = Promise.resolve();
  const inFlight = new Set<Promise<void>>();
  // Sends under way (replies, outbox rows): stop() lets them finish before closing the socket.
  const sending = new Set<Promise<unknown>>();
  let standby: NodeJS.Timeout | undefined;
  // Settled when the connection first opens or the session ends (start waits for it, briefly).
  let settleFirst: () => void = () => undefined;
  const firstSettled = new Promise<void>((r) => (settleFirst = r));
  const acks = createAckWatch({ windowMs: options.ackWindowMs ?? 1500, onLate: (refusal) => lateRefusal(refusal) });

  const makeSession = () =>
    createWhatsAppSession({
      db: deps.db,
      log: deps.log,
      session: options.session,
      mode: "run",
      socketFactory: options.socketFactory,
      sleep: options.sleep,
      random: options.random,
      now: deps.now,
      backoff: options.backoff,
      lease: options.lease,
      onMessages: (upsert) => {
        if (!accepting || (upsert.type !== "notify" && upsert.type !== "append")) return;
        for (const msg of upsert.messages) chain = chain.then(() => receive(msg, upsert.type));
      },
      onUpdates: (updates) => acks.onUpdates(updates),
      onOpen: () => settleFirst(),
      onEnd: (reason) => {
        status = reason.kind;
        serving(false);
        settleFirst();
      },
    });
  let session = makeSession();

  async function receive(msg: Parameters<typeof toInbound>[0], type: Parameters<typeof toInbound>[1]): Promise<void> {
    try {
      const me = session.openSocket?.user ?? {};
      const result = await toInbound(msg, type, { groups: capabilities.groups, me, resolveAlias: (jid) => session.resolveAlias(jid), now: deps.now });
      if (!result.ok) {
        log.debug({ messageId: msg.key?.id, reason: result.reason }, "WhatsApp message skipped");
        return;
      }
      if (!accepting || !handler) return;
      const work = handler(result.message).catch((err: unknown) => log.error({ err, messageId: result.message.messageId }, "inbound handler failed"));
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    } catch (err) {
      log.error({ err, messageId: msg.key?.id }, "could not read a WhatsApp message");
    }
  }

  /**
   * A refusal after the send had returned: the outbox row already says "sent" (the outbox
   * keeps no WhatsApp message id to find it by), so the log says so; a refusal that means
   * the person will not take our messages reaches the core as a "blocked" event, which
   * marks them, and the outbox skips them from then on.
   */
  function lateRefusal({ messageId, chatId, error }: LateRefusal): void {
    log.warn({ messageId, kind: error.kind, reason: error.message }, "WhatsApp refused a message after it was sent");
    if (error.kind !== "blocked" || !accepting || !handler || !isPnUser(chatId) && !isLidUser(chatId)) return;
    const event = handler({
      channel: "whatsapp",
      messageId: `refused:${messageId}`,
      chat: { id: chatId, kind: "private" },
      sender: { id: chatId },
      sentAt: deps.now(),
      content: { kind: "event", event: "blocked" },
    }).catch((err: unknown) => log.error({ err, messageId }, "could not record a WhatsApp refusal"));
    inFlight.add(event);
    void event.finally(() => inFlight.delete(event));
  }

  /**
   * The outbox worker sends on channels the messenger knows (`messenger.capabilities`). A
   * process that does not hold the number (or has no usable session) takes itself off that
   * list so its worker leaves WhatsApp rows to the process that can send them.
   */
  function serving(on: boolean): void {
    if (on) deps.messenger.register(adapter);
    else deps.messenger.unregister("whatsapp");
  }

  async function tryStart(): Promise<void> {
    const result = await session.start();
    status = result.status;
    serving(result.status === "connecting");
    switch (result.status) {
      case "connecting":
        if (standby) clearInterval(standby);
        standby = undefined;
        return;
      case "held": {
        const ago = Math.round((deps.now().getTime() - result.holder.heartbeatAt.getTime()) / 1000);
        log.warn(
          { owner: result.holder.owner, heartbeatSecondsAgo: ago },
          "WhatsApp number is held by another process; not connecting here (standby: taking over if that process stops)",
        );
        if (!standby) {
          standby = setInterval(() => {
            if (!accepting) return;
            session = makeSession();
            tryStart().catch((err: unknown) => log.error({ err }, "WhatsApp standby check failed"));
          }, options.standbyRetryMs ?? 30_000);
          standby.unref();
        }
        return;
      }
      case "corrupt":
        log.error({ err: result.error }, result.error.message);
        return;
      case "not-linked":
        log.error(`WhatsApp is enabled but no number is linked. Run: ${LOGIN_COMMAND}`);
        return;
    }
  }

  const adapter: WhatsAppAdapter = {
    channel: "whatsapp",
    capabilities,
    get session() {
      return session;
    },
    get status() {
      return status;
    },
    async start(h) {
      handler = h;
      accepting = true;
      // Never throws for a held number, a broken stored session or a missing link: the
      // other channels keep running and the log says what to do.
      await tryStart();
      if (status !== "connecting") return;
      // Replies in the first seconds would fail while the socket is still connecting.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, options.openTimeoutMs ?? 15_000)));
      await Promise.race([firstSettled, timeout]);
      clearTimeout(timer);
      if (!session.openSocket && status === "connecting") log.warn("WhatsApp is not connected yet; still trying in the background");
    },
    async stop() {
      accepting = false;
      // Off the messenger first: the outbox worker takes no new WhatsApp rows from here on.
      serving(false);
      if (standby) clearInterval(standby);
      standby = undefined;
      await chain;
      await Promise.allSettled([...inFlight]);
      // Sends already under way finish (and hear their ack) on the open socket; then the
      // socket closes and the number's lease is released.
      await Promise.allSettled([...sending]);
      await session.stop();
      status = "stopped";
    },
    async send(chatId, message) {
      const work = send(session, acks, chatId, message);
      sending.add(work);
      try {
        return await work;
      } finally {
        sending.delete(work);
      }
    },
  };
  return adapter;
}

/**
 * Sends the parts, then waits (once, for all of them) for WhatsApp to refuse one: Baileys'
 * `sendMessage` resolves when the stanza is written, and a refusal comes later as an error
 * ack (acks.ts). A refused part fails the whole message so the outbox decides on it.
 */
async function send(session: WhatsAppSession, acks: AckWatch, chatId: string, message: OutboundMessage): Promise<SentMessage> {
  const jid = toJid(chatId);
  const socket = session.openSocket;
  if (!socket) throw new ChannelError("network", "WhatsApp is not connected in this process");
  const ids: string[] = [];
  for (const content of toNativeContents(message)) {
    let result;
    try {
      result = await socket.sendMessage(jid, content);
    } catch (error) {
      if (ids.length) await acks.settle(ids);
      throw toChannelError(error);
    }
    session.sent.remember(result?.key, result?.message);
    const id = result?.key?.id;
    if (id) {
      acks.expect([id]);
      ids.push(id);
    }
  }
  const first = ids[0];
  if (!first) throw new ChannelError("network", "WhatsApp did not return a message id");
  const refusal = await acks.settle(ids);
  if (refusal) throw refusal;
  return { messageId: first };
}

/** Accepts a JID, or bare digits (a phone number with country code) for convenience. */
function toJid(chatId: string): string {
  if (/^\d{7,15}$/.test(chatId)) return `${chatId}@s.whatsapp.net`;
  if (isPnUser(chatId) || isLidUser(chatId) || isJidGroup(chatId)) return chatId;
  throw new ChannelError("bad-request", "not a WhatsApp chat id");
}
