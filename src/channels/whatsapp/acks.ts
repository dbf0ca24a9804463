/**
 * WhatsApp refuses a message after Baileys' `sendMessage` has resolved: the server answers
 * the stanza with an error ack, and Baileys reports it as a `messages.update` with
 * `status: ERROR` and the error code in `messageStubParameters[0]` (handleBadAck in
 * `lib/Socket/messages-recv.js`). A successful send gets no event at all until the
 * recipient's phone sends a delivery receipt (status DELIVERY_ACK or later).
 *
 * So `send` waits a short window for each message it sent: an error ack inside the window
 * becomes the ChannelError the outbox acts on (retry, blocked, failed); a delivery receipt
 * ends the wait early; silence means "accepted". An error that comes after the window is a
 * late refusal: the adapter logs it and, where it means the person refused us, tells the core.
 * docs/decisions/0704-whatsapp-refusals-wait-for-the-ack.md.
 */
import { proto, type WAMessageUpdate } from "@whiskeysockets/baileys";
import type { ChannelError } from "../../core/errors.ts";
import { toChannelError } from "./errors.ts";

const STATUS = proto.WebMessageInfo.Status;

/** A refusal that arrived after its send had already returned. */
export interface LateRefusal {
  messageId: string;
  /** The chat the refused message was sent to (Baileys' key.remoteJid). */
  chatId: string;
  error: ChannelError;
}

/** Watches the acks of this process's sends. */
export interface AckWatch {
  /** Starts watching ids right after their send (before awaiting anything else). */
  expect(ids: string[]): void;
  /** Waits up to the window for these ids; the first refusal among them, or undefined. */
  settle(ids: string[]): Promise<ChannelError | undefined>;
  /** Feeds Baileys' `messages.update` batch. */
  onUpdates(updates: WAMessageUpdate[]): void;
  /** Ids still being watched (tests). */
  readonly watching: number;
}

/** Translates an error ack's code (Baileys passes it as a string, e.g. "463"). */
export function toAckError(code: string | undefined, detail?: string): ChannelError {
  const n = Number(code);
  const text = `ack error ${code ?? "?"}${detail ? ` (${detail})` : ""}`;
  // 463: this number may not start new chats (account restricted / no privacy token).
  // Baileys warns that retrying counts as another reach-out and deepens the restriction:
  // fail the row, do not retry, and do not blame the recipient.
  if (n === 463) return toChannelError(Object.assign(new Error(`WhatsApp refused: this number is restricted from starting chats (${text})`), { data: 400 }));
  // 479 smax-invalid: a stale device session on the server's side; a later send usually works.
  if (n === 479) return toChannelError(Object.assign(new Error(`WhatsApp rejected the stanza (${text})`), { data: 503 }));
  // 487–499, 550–552: the client's message was malformed or unsupported for that chat.
  if ((n >= 487 && n <= 499) || (n >= 550 && n <= 552)) return toChannelError(Object.assign(new Error(`WhatsApp could not accept the message (${text})`), { data: 400 }));
  // Otherwise the code reads like the HTTP-style codes of a failed send (403, 404, 429, 5xx).
  return toChannelError(Object.assign(new Error(`WhatsApp: ${text}`), Number.isInteger(n) ? { data: n } : {}));
}

/**
 * Creates a watch. `windowMs` is how long a send waits for a refusal; `onLate` hears the
 * refusals that come after it (remembered for `rememberMs` after the send).
 */
export function createAckWatch(options: { windowMs: number; rememberMs?: number; onLate(refusal: LateRefusal): void; now?: () => number }): AckWatch {
  const now = options.now ?? Date.now;
  const rememberMs = options.rememberMs ?? 10 * 60_000;
  type Entry = { at: number; outcome?: ChannelError | "ok"; settled: boolean; wake?: () => void };
  const entries = new Map<string, Entry>();
  // Refusals for ids not (yet) watched: Baileys could emit one before `sendMessage`'s
  // caller gets the key back. Kept briefly, bounded.
  const early = new Map<string, { at: number; error: ChannelError }>();

  function forgetOld(): void {
    const cutoff = now() - rememberMs;
    for (const [id, e] of entries) {
      if (e.at >= cutoff) break; // insertion order = send order
      entries.delete(id);
    }
  }

  return {
    expect(ids) {
      forgetOld();
      for (const id of ids) {
        const before = early.get(id);
        early.delete(id);
        entries.set(id, { at: now(), settled: false, ...(before ? { outcome: before.error } : {}) });
      }
    },
    async settle(ids) {
      const waits = ids.map((id) => {
        const e = entries.get(id);
        if (!e || e.outcome) return Promise.resolve();
        return new Promise<void>((resolve) => (e.wake = resolve));
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(waits), new Promise<void>((r) => (timer = setTimeout(r, options.windowMs)))]);
      clearTimeout(timer);
      let refusal: ChannelError | undefined;
      for (const id of ids) {
        const e = entries.get(id);
        if (!e) continue;
        e.settled = true;
        e.wake = undefined;
        if (e.outcome && e.outcome !== "ok") refusal ??= e.outcome;
        // Decided: nothing more to hear about it.
        if (e.outcome) entries.delete(id);
      }
      return refusal;
    },
    onUpdates(updates) {
      for (const { key, update } of updates) {
        if (!key?.fromMe || !key.id || update.status === undefined || update.status === null) continue;
        const e = entries.get(key.id);
        if (e?.outcome) continue;
        if (!e) {
          if (update.status !== STATUS.ERROR) continue;
          const [code, detail] = update.messageStubParameters ?? [];
          early.set(key.id, { at: now(), error: toAckError(code, detail) });
          for (const [id, x] of early) if (early.size > 100 || now() - x.at > 60_000) early.delete(id);
          continue;
        }
        if (update.status === STATUS.ERROR) {
          const [code, detail] = update.messageStubParameters ?? [];
          const error = toAckError(code, detail);
          if (e.settled) {
            entries.delete(key.id);
            options.onLate({ messageId: key.id, chatId: key.remoteJid ?? "", error });
            continue;
          }
          e.outcome = error;
        } else if (update.status >= STATUS.DELIVERY_ACK) {
          if (e.settled) {
            entries.delete(key.id);
            continue;
          }
          e.outcome = "ok";
        } else continue;
        e.wake?.();
      }
    },
    get watching() {
      return entries.size;
    },
  };
}
