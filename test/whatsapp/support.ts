/**
 * Test seams for the WhatsApp adapter: a fake Baileys socket (the `ev` emitter, sendMessage,
 * end/logout, user), the recorded upsert fixtures, and a linked session in the database.
 */
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { generateForwardMessageContent, initAuthCreds, proto as waProto, type AnyMessageContent, type BaileysEventMap, type proto, type WAMessage } from "@whiskeysockets/baileys";
import pino from "pino";
import { loadAuthState } from "../../src/channels/whatsapp/auth-store.ts";
import type { SocketFactory, SocketOptions, WhatsAppSocket } from "../../src/channels/whatsapp/socket.ts";
import type { Db } from "../../src/db/client.ts";

type Upsert = BaileysEventMap["messages.upsert"];
const raw = JSON.parse(readFileSync(new URL("../fixtures/whatsapp/upserts.json", import.meta.url), "utf8")) as Record<string, unknown> & {
  _meta: { bot: { id: string; lid: string } };
};

/** The bot's own JIDs in the fixtures. */
export const BOT = raw._meta.bot;
/** The fixture clock: 2026-11-27T10:00:00Z, when the recorded messages were "sent". */
export const FIXTURE_NOW = new Date("2026-11-27T10:00:00Z");

/** A fresh copy of one recorded `messages.upsert` payload. */
export function upsert(name: string): Upsert {
  const value = raw[name];
  if (!value || name === "_meta") throw new Error(`no fixture ${name}`);
  return structuredClone(value) as Upsert;
}

/** Names of all fixtures. */
export const FIXTURE_NAMES = Object.keys(raw).filter((k) => k !== "_meta");

/** An error shaped like @hapi/boom's (what Baileys throws): output.statusCode and data. */
export function boom(message: string, options: { statusCode?: number; data?: unknown } = {}): Error {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode: options.statusCode ?? 500, payload: {} }, data: options.data });
}

let sends = 0;

/**
 * A fake Baileys socket: records sends, lets tests emit events. Like Baileys, a send the
 * server refuses still resolves with a key; the refusal follows as a `messages.update` with
 * status ERROR and the code in messageStubParameters (`refuseNext`). A send that gets
 * through is followed by a delivery receipt (status DELIVERY_ACK), as a phone that is
 * online sends one; `receipts: false` models a phone that is offline (no event at all).
 */
export class FakeSocket implements WhatsAppSocket {
  readonly ev = new EventEmitter() as unknown as WhatsAppSocket["ev"] & EventEmitter;
  readonly sent: Array<{ jid: string; content: AnyMessageContent; id: string }> = [];
  user: WhatsAppSocket["user"] = { id: `923009990009:7@s.whatsapp.net`, lid: `${BOT.lid.split("@")[0]}:7@lid`, name: "Seller Bot" };
  ended = 0;
  loggedOut = 0;
  /** Whether accepted sends get a delivery receipt (an online phone). */
  receipts = true;
  private failures = new Map<string, Error>();
  private refusals = new Map<string, { code: string; later: boolean }>();
  constructor(readonly options: SocketOptions) {}

  /** While set, sends wait for it (a slow network: a send in flight). */
  gate: Promise<void> | undefined;
  /** sendMessage calls so far (also those waiting at the gate). */
  calls = 0;
  async sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined> {
    this.calls += 1;
    if (this.gate) await this.gate;
    // Baileys writes to the closed WebSocket and fails with Boom "Connection Closed" (428).
    if (this.ended) throw boom("Connection Closed", { statusCode: 428 });
    const failure = this.failures.get(jid);
    if (failure) {
      this.failures.delete(jid);
      throw failure;
    }
    // Numbered across sockets: WhatsApp's ids are unique, also after a reconnect or restart.
    sends += 1;
    const id = `3EB0FAKE${String(sends).padStart(12, "0")}`;
    const key = { remoteJid: jid, fromMe: true, id };
    const refusal = this.refusals.get(jid);
    this.refusals.delete(jid);
    if (refusal) {
      // What handleBadAck in lib/Socket/messages-recv.js emits for an error ack.
      const report = () => this.emit("messages.update", [{ key, update: { status: waProto.WebMessageInfo.Status.ERROR, messageStubParameters: [refusal.code] } }]);
      if (refusal.later) this.lateRefusals.push(report);
      else setImmediate(report);
    } else {
      this.sent.push({ jid, content, id });
      if (this.receipts) setImmediate(() => this.emit("messages.update", [{ key, update: { status: waProto.WebMessageInfo.Status.DELIVERY_ACK, messageTimestamp: Math.floor(Date.now() / 1000) } }]));
    }
    // A forward is built as Baileys builds it, so a MediaRef that does not decode fails here.
    const message: proto.IMessage =
      "forward" in content ? generateForwardMessageContent(content.forward, false)
      : "text" in content ? { extendedTextMessage: { text: content.text } } : "location" in content ? { locationMessage: content.location } : { documentMessage: { fileName: (content as { fileName?: string }).fileName } };
    return { key, message, messageTimestamp: Math.floor(Date.now() / 1000) };
  }
  end(): void {
    this.ended += 1;
  }
  async logout(): Promise<void> {
    this.loggedOut += 1;
  }
  async requestPairingCode(phone: string): Promise<string> {
    return phone.length > 5 ? "ABCD1234" : "";
  }
  /** Refusals held back by `refuseNext(…, { later: true })`; call one to deliver it. */
  readonly lateRefusals: Array<() => void> = [];
  /**
   * Makes WhatsApp refuse the next send to `jid` with an error ack `code` ("403", "429",
   * "463", "479", …): the send resolves, the refusal follows as Baileys reports it. With
   * `later`, the refusal waits in `lateRefusals` (it comes after the adapter stopped waiting).
   */
  refuseNext(jid: string, code: string, options: { later?: boolean } = {}): void {
    this.refusals.set(jid, { code, later: options.later ?? false });
  }
  /** Makes the next send to `jid` throw `error` (what Baileys does before the stanza is written: closed socket, timeout). */
  failNext(jid: string, error: Error): void {
    this.failures.set(jid, error);
  }
  emit<E extends keyof BaileysEventMap>(event: E, arg: BaileysEventMap[E]): void {
    this.ev.emit(event, arg);
  }
  open(): void {
    this.emit("connection.update", { connection: "open" });
  }
  close(statusCode: number, message = "Connection Closed"): void {
    this.emit("connection.update", { connection: "close", lastDisconnect: { error: boom(message, { statusCode }), date: new Date() } });
  }
  /** Texts sent to a chat, as a reader sees them. */
  texts(jid: string): string[] {
    return this.sent.filter((s) => s.jid === jid && "text" in s.content).map((s) => (s.content as { text: string }).text.replaceAll("\u200B", ""));
  }
}

/** A socket factory that records every socket it makes; `autoOpen` opens each one at once. */
export function fakeSockets(options: { autoOpen?: boolean } = {}) {
  const sockets: FakeSocket[] = [];
  const factory: SocketFactory = (o) => {
    const socket = new FakeSocket(o);
    sockets.push(socket);
    if (options.autoOpen !== false) setImmediate(() => socket.open());
    return socket;
  };
  return {
    factory,
    sockets,
    get latest(): FakeSocket {
      const s = sockets.at(-1);
      if (!s) throw new Error("no socket made yet");
      return s;
    },
  };
}

/** Stores a linked session (what `whatsapp login` leaves behind). */
export async function storeLinkedSession(db: Db, session = "default"): Promise<void> {
  const auth = await loadAuthState(db, session, pino({ level: "silent" }));
  Object.assign(auth.state.creds, linkedCreds());
  await auth.saveCreds();
}

/** Credentials as after a finished link. */
export function linkedCreds(): Partial<ReturnType<typeof initAuthCreds>> {
  return {
    me: { id: "923009990009:7@s.whatsapp.net", lid: "205555555555555:7@lid", name: "Seller Bot" },
    account: { details: Buffer.from("details"), accountSignatureKey: Buffer.alloc(32, 1), accountSignature: Buffer.alloc(64, 2), deviceSignature: Buffer.alloc(64, 3) },
    registered: true,
  };
}

/** A pino logger that keeps lines in memory (to assert what operators are told). */
export function memoryLog(level: pino.Level = "info") {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines, messages: () => lines.map((l) => String(l.msg ?? "")) };
}

/** Waits until `check` holds (2 s at most). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("until: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}
