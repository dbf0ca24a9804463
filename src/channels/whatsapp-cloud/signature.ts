/**
 * Webhook authenticity: Meta signs each POST with HMAC-SHA256 of the raw body, keyed with
 * the app secret, in `X-Hub-Signature-256: sha256=<hex>`. Checked over the bytes as they
 * arrived (a re-serialised JSON body would not match), in constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The header value for `body` (tests sign their posts with it). */
export function signBody(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

/** Whether `header` is the right signature of `body`. */
export function verifySignature(body: Buffer, header: string | string[] | undefined, appSecret: string): boolean {
  if (typeof header !== "string") return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), "hex");
  const expected = createHmac("sha256", appSecret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant-time equality of two strings (the handshake's verify token). */
export function sameToken(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compare against itself when lengths differ so the time does not depend on where they differ.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}
