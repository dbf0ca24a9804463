/**
 * The life of one WhatsApp connection: take the number's lease, load the stored session,
 * open a socket, save credentials and keys as they change, reconnect with capped
 * exponential backoff, and on "logged out" clear the stored session and say how to link
 * again. Shared by the running adapter and `seller-bot whatsapp login`.
 */
import { setTimeout as delay } from "node:timers/promises";
import { DisconnectReason, type BaileysEventMap } from "@whiskeysockets/baileys";
import type { Logger } from "pino";
import type { Db } from "../../db/client.ts";
import { createBaileysLogger } from "./baileys-logger.ts";
import { CorruptSessionError, loadAuthState, type StoredAuthState } from "./auth-store.ts";
import { createLease, LEASE_TTL_MS, type Lease, type LeaseHolder } from "./lease.ts";
import { createSentMessageStore, type SentMessageStore } from "./outbound.ts";
import { baileysSocketFactory, type ConnectionUpdate, type SocketFactory, type WhatsAppSocket } from "./socket.ts";

/** The command that links a number; every "please link" log line names it. */
export const LOGIN_COMMAND = "npx seller-bot whatsapp login";

/** Backoff between reconnects: base·2^(n-1), capped, with jitter (half to full). */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Settings of a session. */
export interface SessionOptions {
  db: Db;
  log: Logger;
  /** Which number (several numbers = several sessions); default "default". */
  session?: string;
  /** "run": only with a linked session, reconnect forever. "login": link, stop when open. */
  mode: "run" | "login";
  socketFactory?: SocketFactory;
  /** Waits between reconnects; tests inject one that records and returns at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => Date;
  backoff?: BackoffPolicy;
  lease?: { owner?: string; ttlMs?: number };
  /** Called for every `messages.upsert` while the session runs. */
  onMessages?(upsert: BaileysEventMap["messages.upsert"]): void;
  /** Called for every `messages.update` (status changes of sent messages: acks, receipts, refusals). */
  onUpdates?(updates: BaileysEventMap["messages.update"]): void;
  /** A QR code to show (login mode; in run mode a QR means the link is gone). */
  onQr?(qr: string, socket: WhatsAppSocket): void;
  onOpen?(socket: WhatsAppSocket): void;
  /** The session ended for good: logged out, link needed, lost the lease, or (login) a failure. */
  onEnd?(reason: EndReason): void;
}

/** Why a session stopped on its own. */
export type EndReason =
  | { kind: "logged-out" }
  | { kind: "link-needed" }
  | { kind: "lease-lost" }
  | { kind: "closed"; statusCode: number | undefined; message: string };

/** What `start` found. */
export type StartResult =
  | { status: "connecting" }
  | { status: "held"; holder: LeaseHolder }
  | { status: "corrupt"; error: CorruptSessionError }
  | { status: "not-linked" };

/** A running (or idle) session. */
export interface WhatsAppSession {
  readonly name: string;
  readonly lease: Lease;
  readonly sent: SentMessageStore;
  /** The socket once the connection is open; undefined otherwise. */
  readonly openSocket: WhatsAppSocket | undefined;
  /** Number of sockets made so far (tests). */
  readonly connects: number;
  start(): Promise<StartResult>;
  /** The other JID form of a person (phone ↔ LID) from the stored lid-mapping keys. */
  resolveAlias(jid: string): Promise<string | undefined>;
  /** Closes the socket, finishes pending writes, releases the number. */
  stop(): Promise<void>;
  /** Writes still pending (tests). */
  flush(): Promise<void>;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

/** Creates a session (nothing happens until `start`). */
export function createWhatsAppSession(options: SessionOptions): WhatsAppSession {
  const name = options.session ?? "default";
  const log = options.log.child({ channel: "whatsapp", session: name });
  const factory = options.socketFactory ?? baileysSocketFactory;
  const sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const ttlMs = options.lease?.ttlMs ?? LEASE_TTL_MS;
  const lease = createLease(options.db, name, { owner: options.lease?.owner, now: options.now, ttlMs });
  const sent = createSentMessageStore();
  const baileysLog = createBaileysLogger(log);

  let auth: StoredAuthState | undefined;
  let socket: WhatsAppSocket | undefined;
  let open = false;
  let stopped = false;
  let attempts = 0;
  let connects = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  const aborter = new AbortController();
  let detach: (() => void) | undefined;

  function connect(): void {
    if (stopped || !auth) return;
    const state = auth;
    const sock = factory({ auth: state.state, logger: baileysLog, getMessage: (key) => sent.getMessage(key) });
    connects += 1;
    socket = sock;
    const onCreds = (update: Partial<typeof state.state.creds>) => {
      // Baileys' own listener already merged the update into the same object; merging again is harmless.
      Object.assign(state.state.creds, update);
      state.saveCreds().catch((err: unknown) => log.error({ err }, "could not save WhatsApp credentials"));
    };
    const onConnection = (update: ConnectionUpdate) => void handleUpdate(sock, update);
    const onMessages = (upsert: BaileysEventMap["messages.upsert"]) => {
      if (!stopped && socket === sock) options.onMessages?.(upsert);
    };
    const onUpdates = (updates: BaileysEventMap["messages.update"]) => {
      if (socket === sock) options.onUpdates?.(updates);
    };
    sock.ev.on("creds.update", onCreds);
    sock.ev.on("connection.update", onConnection);
    sock.ev.on("messages.upsert", onMessages);
    sock.ev.on("messages.update", onUpdates);
    detach = () => {
      sock.ev.off("creds.update", onCreds);
      sock.ev.off("connection.update", onConnection);
      sock.ev.off("messages.upsert", onMessages);
      sock.ev.off("messages.update", onUpdates);
    };
  }

  async function handleUpdate(sock: WhatsAppSocket, update: ConnectionUpdate): Promise<void> {
    if (socket !== sock || stopped) return;
    if (update.qr) {
      if (options.mode === "login") options.onQr?.(update.qr, sock);
      else {
        log.error(`WhatsApp wants this number linked again. Run: ${LOGIN_COMMAND}`);
        return end({ kind: "link-needed" });
      }
    }
    if (update.connection === "open") {
      open = true;
      attempts = 0;
      log.info("WhatsApp connected");
      options.onOpen?.(sock);
    }
    if (update.connection !== "close") return;
    open = false;
    detach?.();
    const error = update.lastDisconnect?.error as (Error & { output?: { statusCode?: number } }) | undefined;
    const statusCode = error?.output?.statusCode;
    if (statusCode === DisconnectReason.loggedOut) {
      await auth?.clear().catch((err: unknown) => log.error({ err }, "could not clear the WhatsApp session"));
      log.error(`WhatsApp logged this number out (401); the stored session was cleared. Link it again: ${LOGIN_COMMAND}`);
      return end({ kind: "logged-out" });
    }
    const restart = statusCode === DisconnectReason.restartRequired;
    if (options.mode === "login" && !restart) return end({ kind: "closed", statusCode, message: error?.message ?? "connection closed" });
    // 515 "restart required" is routine right after linking: reconnect at once.
    const wait = restart ? 0 : nextDelay();
    log.warn({ statusCode, reason: error?.message, retryInMs: wait }, "WhatsApp disconnected; reconnecting");
    try {
      await sleep(wait, aborter.signal);
    } catch {
      return; // stopped while waiting
    }
    if (!stopped) connect();
  }

  function nextDelay(): number {
    attempts += 1;
    const raw = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(raw * (0.5 + random() / 2));
  }

  async function end(reason: EndReason): Promise<void> {
    await shutdown();
    options.onEnd?.(reason);
  }

  async function shutdown(): Promise<void> {
    if (stopped) return;
    stopped = true;
    aborter.abort();
    if (heartbeat) clearInterval(heartbeat);
    open = false;
    const sock = socket;
    socket = undefined;
    try {
      await sock?.end(undefined);
    } catch (err) {
      log.debug({ err }, "socket end failed");
    }
    await auth?.flush().catch(() => undefined);
    detach?.();
    await lease.release().catch((err: unknown) => log.warn({ err }, "could not release the WhatsApp lease"));
  }

  return {
    name,
    lease,
    sent,
    get openSocket() {
      return open ? socket : undefined;
    },
    get connects() {
      return connects;
    },
    async start() {
      const taken = await lease.acquire();
      if (!taken.ok) return { status: "held", holder: taken.holder };
      try {
        auth = await loadAuthState(options.db, name, log);
      } catch (error) {
        await lease.release();
        if (error instanceof CorruptSessionError) return { status: "corrupt", error };
        throw error;
      }
      if (options.mode === "run" && !isLinked(auth)) {
        await lease.release();
        return { status: "not-linked" };
      }
      heartbeat = setInterval(() => {
        lease
          .renew()
          .then((mine) => {
            if (mine || stopped) return;
            log.error("another process took this WhatsApp number; disconnecting here");
            return end({ kind: "lease-lost" });
          })
          .catch((err: unknown) => log.warn({ err }, "WhatsApp lease heartbeat failed"));
      }, Math.max(1000, Math.floor(ttlMs / 3)));
      heartbeat.unref();
      connect();
      return { status: "connecting" };
    },
    async resolveAlias(jid) {
      if (!auth) return undefined;
      const [user, server] = jid.split("@");
      if (!user || !server) return undefined;
      const lid = server === "lid";
      const keyId = lid ? `${user}_reverse` : user;
      const found = (await auth.state.keys.get("lid-mapping", [keyId]))[keyId];
      if (typeof found !== "string" || !found) return undefined;
      return lid ? `${found}@s.whatsapp.net` : `${found}@lid`;
    },
    stop: shutdown,
    flush: async () => auth?.flush(),
  };
}

/**
 * A finished link: Baileys logs in (instead of showing a QR) when `creds.me` is set, and a
 * completed pairing also stores the signed device identity (`account`). A pairing code that
 * was requested but never entered sets `me` alone.
 */
export function isLinked(auth: StoredAuthState): boolean {
  return auth.stored && Boolean(auth.state.creds.me?.id && auth.state.creds.account);
}

