/**
 * Structured logs (pino) on stderr; stdout belongs to the chat and to JSON output.
 * Phone numbers and message texts are logged only at debug level: log them under the keys
 * below, which are redacted unless the level is debug or trace.
 */
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";

/** Keys that carry personal data; redacted at info level and above. */
export const PERSONAL_KEYS = ["text", "phone", "jid", "*.text", "*.phone", "*.jid", "message.text", "content.text"];

/** Creates the process logger (on stderr unless a destination is given). */
export function createLogger(config: Pick<Config, "logLevel">, destination?: pino.DestinationStream): Logger {
  const verbose = config.logLevel === "debug" || config.logLevel === "trace";
  return pino(
    {
      level: config.logLevel,
      base: { app: "seller-bot" },
      redact: verbose ? [] : { paths: PERSONAL_KEYS, censor: "[redacted]" },
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
