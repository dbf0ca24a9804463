/**
 * The logger handed to Baileys. Baileys logs a lot, and puts JIDs (phone numbers, LIDs) in
 * objects under many keys and inside message strings, where the app's key-based redaction
 * (src/logger.ts) cannot see them. Below debug level this wrapper keeps only warnings and
 * errors and masks every JID's user part, so no phone number reaches an operator's log.
 */
import type { makeCacheableSignalKeyStore } from "@whiskeysockets/baileys";
import type { Logger } from "pino";

/** Baileys' `ILogger` (not exported from the package index). */
export type ILogger = NonNullable<Parameters<typeof makeCacheableSignalKeyStore>[1]>;

const JID = /\b\d{5,}(?::\d+)?@(s\.whatsapp\.net|lid|c\.us|hosted(?:\.lid)?)\b/g;
const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

/** Masks the user part of every JID in a string. */
export function maskJids(text: string): string {
  return text.replace(JID, "…@$1");
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskJids(value);
  if (value === null || typeof value !== "object" || depth > 4) return value;
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (value instanceof Error) return { type: value.name, message: maskJids(value.message), stack: maskJids(value.stack ?? "") };
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

/** Wraps `log` for Baileys: verbose and unmasked only when the app logs at debug or trace. */
export function createBaileysLogger(log: Logger): ILogger {
  const verbose = log.levelVal <= 20;
  const inner = log.child({ component: "baileys" }, { level: verbose ? log.level : log.levelVal > 40 ? log.level : "warn" });
  return wrap(inner, verbose);
}

function wrap(inner: Logger, verbose: boolean): ILogger {
  const out = {
    get level() {
      return inner.level;
    },
    child: (obj: Record<string, unknown>) => wrap(inner.child(verbose ? obj : (scrub(obj) as Record<string, unknown>)), verbose),
  } as ILogger;
  for (const level of LEVELS) {
    out[level] = (obj: unknown, msg?: string) => {
      if (!inner.isLevelEnabled(level)) return;
      if (verbose) return inner[level](obj as object, msg);
      const o = typeof obj === "string" ? { note: maskJids(obj) } : scrub(obj);
      inner[level](o as object, msg === undefined ? undefined : maskJids(msg));
    };
  }
  return out;
}
