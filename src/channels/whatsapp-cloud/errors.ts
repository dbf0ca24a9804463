/**
 * Graph API failures → the project's {@link ChannelError}, in one function. Codes from
 * Meta's "WhatsApp error codes" reference: docs/whatsapp-cloud.md lists what each does here.
 */
import { ChannelError } from "../../core/errors.ts";
import { errorResponseSchema } from "./wire.ts";

/** How long to hold the whole channel after a throughput limit (130429, 80007, 4). */
export const THROUGHPUT_PAUSE_MS = 2000;
/** How long to wait before the same user again after a pair-rate limit (131056). */
export const PAIR_RATE_PAUSE_MS = 15_000;

/** Codes that mean the access token is no good: the channel stops. */
const TOKEN_CODES = new Set([190, 102, 10, 200]);

/** Translates an HTTP answer that was not a success. */
export function toChannelError(status: number, body: unknown, retryAfterHeader?: string | null): ChannelError {
  const parsed = errorResponseSchema.safeParse(body);
  const code = parsed.success ? parsed.data.error.code : undefined;
  const details = parsed.success ? (parsed.data.error.error_data?.details ?? parsed.data.error.message ?? "") : "";
  const text = `WhatsApp Cloud API ${status}${code !== undefined ? ` code ${code}` : ""}${details ? `: ${details}` : ""}`;
  const retryAfter = Number(retryAfterHeader) > 0 ? Number(retryAfterHeader) * 1000 : undefined;
  switch (code) {
    case 130429:
    case 80007:
    case 4:
      return new ChannelError("rate-limited", text, retryAfter ?? THROUGHPUT_PAUSE_MS);
    case 131056:
      return new ChannelError("rate-limited", text, PAIR_RATE_PAUSE_MS, { scope: "chat" });
    case 131049:
      return new ChannelError("marketing-limit", text);
    case 131047:
      return new ChannelError("window-closed", text);
    case 131026:
      // Not on WhatsApp, an old app, terms not accepted, or the bot blocked: the number is unreachable.
      return new ChannelError("blocked", text);
    case 131000:
    case 1:
    case 2:
    case 131016:
      return new ChannelError("network", text);
  }
  if (code !== undefined && TOKEN_CODES.has(code)) return new ChannelError("unavailable", text);
  if (status === 401) return new ChannelError("unavailable", text);
  if (status === 429) return new ChannelError("rate-limited", text, retryAfter ?? THROUGHPUT_PAUSE_MS);
  if (status >= 500) return new ChannelError("network", text);
  return new ChannelError("bad-request", text);
}

/** True for the error that stops the channel (an expired or revoked token). */
export function isTokenError(error: ChannelError): boolean {
  return error.kind === "unavailable";
}
