/**
 * Callback data (the payload behind an inline button): checked when we build a keyboard
 * and validated with zod when Telegram sends it back, because anyone can forge it.
 */
import { z } from "zod";

/** Telegram's limit for `callback_data`, in bytes (UTF-8). */
export const MAX_CALLBACK_BYTES = 64;

/** `<feature>:<action>[:args]`, e.g. `lang:set:ur-Latn`, `ev:rsvp:12:going`. */
const PATTERN = /^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9][A-Za-z0-9_-]*(?::[^\x00-\x1f\x7f]*)?$/;

/** The schema for callback data coming back from Telegram (and going out). */
export const callbackDataSchema = z
  .string()
  .min(3)
  .refine((s) => Buffer.byteLength(s, "utf8") <= MAX_CALLBACK_BYTES, `at most ${MAX_CALLBACK_BYTES} bytes`)
  .refine((s) => PATTERN.test(s), "expected <feature>:<action>[:args]");

/** The problem with `data`, or undefined when it is valid. */
export function callbackDataProblem(data: unknown): string | undefined {
  const result = callbackDataSchema.safeParse(data);
  return result.success ? undefined : result.error.issues.map((i) => i.message).join("; ");
}
