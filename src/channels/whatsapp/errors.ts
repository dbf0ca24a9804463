/**
 * Baileys / Boom errors → {@link ChannelError}, in this one function. Baileys throws Boom
 * errors carrying an HTTP-like status (`output.statusCode`) or WhatsApp's own error text
 * ("rate-overlimit", "not-authorized", "item-not-found") from the server's reply node.
 */
import { ChannelError } from "../../core/errors.ts";

/** WhatsApp gives no retry-after for rate-overlimit; a minute is what it usually takes. */
export const RATE_LIMIT_WAIT_MS = 60_000;

/** Translates anything thrown while sending. */
export function toChannelError(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  const status = statusOf(error);
  const text = messageOf(error).toLowerCase();
  const make = (kind: ChannelError["kind"], retryAfterMs?: number) =>
    new ChannelError(kind, `WhatsApp: ${messageOf(error) || `status ${status}`}`, retryAfterMs, { cause: error });

  if (status === 429 || /rate-?overlimit|too many/.test(text)) return make("rate-limited", RATE_LIMIT_WAIT_MS);
  // 403 from the server on a send: the recipient blocked the number or may not be written to.
  if (status === 403 || /not-authorized|forbidden|blocked/.test(text)) return make("blocked");
  if (status === 404 || /item-not-found|not on whatsapp|not-on-whatsapp|no devices|jid.*invalid/.test(text)) return make("not-found");
  // 401 here means *this* number is logged out: nothing to do with the recipient, so it is a
  // network-class fault (retry once the number is linked again), never "blocked".
  if (status === 401 || /logged out|not authenticated/.test(text)) return make("network");
  if (status === 400 || status === 406 || status === 413 || /bad-request|too long|not-acceptable/.test(text)) return make("bad-request");
  // 408/428/440/500/503, closed sockets, timeouts, DNS/TCP faults: try again later.
  return make("network");
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { output?: { statusCode?: unknown }; data?: unknown; statusCode?: unknown };
  // A server error node becomes `new Boom(text, { data: code })`, whose output.statusCode is
  // Boom's default 500: the code in `data` is the real one, so it goes first.
  const nodeCode = typeof e.data === "number" ? e.data : (e.data as { attrs?: { code?: unknown } } | undefined)?.attrs?.code;
  const candidates = [nodeCode, e.output?.statusCode, e.statusCode];
  for (const c of candidates) {
    const n = Number(c);
    if (Number.isInteger(n) && n >= 100 && n < 600) return n;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : "";
}
