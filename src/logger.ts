/**
 * Structured logs (pino) on stderr; stdout belongs to the chat and to JSON output.
 * Phone numbers and message texts are logged only at debug level: log them under the keys
 * below, which are redacted unless the level is debug or trace. Database errors are cut
 * to where and why at those levels too (Prisma prints the values it was given: a seller's
 * city, coordinates, texts). Secrets (the bot token, the webhook secret) never appear, at
 * any level.
 */
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";

/** Keys that carry personal data; redacted at info level and above. */
export const PERSONAL_KEYS = ["text", "phone", "jid", "*.text", "*.phone", "*.jid", "message.text", "content.text"];

/** Anything shaped like a Telegram bot token (`123456789:AA…`), configured or not. */
const TOKEN_SHAPE = /(?<!\d)\d{3,}(?::|%3A)[A-Za-z0-9_-]{30,}/g;

/** How the process logger writes. */
export interface LoggerOptions {
  /** Another level than the configured one (the terminal chat: only warnings unless LOG_LEVEL is set). */
  level?: Config["logLevel"];
  /**
   * Short readable lines (`12:01:02 WARN message`) instead of JSON. Default: when the
   * logger writes to stderr and stderr is a terminal; JSON for files, pipes and supervisors.
   */
  readable?: boolean;
}

/** Creates the process logger (on stderr unless a destination is given). */
export function createLogger(config: Pick<Config, "logLevel"> & Partial<Pick<Config, "telegram">>, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  const level = options.level ?? config.logLevel;
  const verbose = level === "debug" || level === "trace";
  const secrets = secretsOf(config);
  const readable = options.readable ?? (destination === undefined && Boolean(process.stderr.isTTY));
  const target: pino.DestinationStream = destination ?? (readable ? readableLines(process.stderr) : pino.destination({ fd: 2, sync: false }));
  return pino(
    {
      level,
      base: { app: "seller-bot" },
      redact: verbose ? [] : { paths: PERSONAL_KEYS, censor: "[redacted]" },
      serializers: verbose ? {} : { err: withoutValues },
      hooks: { streamWrite: (line) => hideSecrets(line, secrets) },
    },
    destination && readable ? readableLines(destination) : target,
  );
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
/** Fields every line has, left out of the readable form. */
const COMMON_FIELDS = new Set(["level", "time", "pid", "hostname", "app", "msg", "err"]);

/**
 * A pino destination that writes each JSON record as one short line for a person:
 * `12:01:02 WARN stopping took too long (timeoutMs=10000): Error: …`. pino-pretty does
 * more; this is enough for a terminal and costs no dependency.
 */
export function readableLines(target: { write(chunk: string): unknown }): pino.DestinationStream {
  return {
    write(line: string) {
      target.write(`${readableLine(line)}\n`);
    },
  };
}

/** One JSON log record as one readable line. */
export function readableLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof record.time === "number" ? new Date(record.time).toISOString().slice(11, 19) : "";
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([k]) => !COMMON_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  const err = record.err as { message?: string; type?: string } | undefined;
  const because = err?.message ? `: ${err.type ?? "Error"}: ${err.message.split("\n")[0]}` : "";
  return `${time} ${level} ${String(record.msg ?? "")}${fields.length ? ` (${fields.join(", ")})` : ""}${because}`.trim();
}

/** The configured secrets as they may appear in a log line: as is, and URL-encoded (a request URL). */
function secretsOf(config: Partial<Pick<Config, "telegram">>): string[] {
  const raw = [config.telegram?.token, config.telegram?.webhookSecret].filter((s): s is string => Boolean(s));
  // Longest first, so a secret inside another is not half replaced.
  return [...new Set(raw.flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
}

function hideSecrets(line: string, secrets: string[]): string {
  let out = line.replace(TOKEN_SHAPE, "<token>");
  for (const secret of secrets) out = out.split(secret).join("<token>");
  return out;
}

/**
 * pino's error serializer, minus the values a database error carries: Prisma's message
 * (and so the stack) prints the call's arguments, e.g. a profile upsert with a seller's
 * city and coordinates; node-postgres puts the clashing values in `detail`. What stays is
 * which call failed where, and why.
 */
function withoutValues(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (!(err instanceof Error)) return out;
  delete out.detail;
  if (err.name.startsWith("PrismaClient")) {
    const message = prismaSummary(err.message);
    const frames = (err.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
    out.message = message;
    out.stack = [`${err.name}: ${message}`, ...frames].join("\n");
  }
  const cause = out.cause as Record<string, unknown> | undefined;
  if (cause && typeof cause === "object") delete cause.detail;
  return out;
}

/** "Invalid `db.x.upsert()` invocation in FILE:LINE: Argument `latitude`: Invalid value …" without the arguments block. */
function prismaSummary(message: string): string {
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines.length <= 1) return lines[0] ?? "";
  const head = lines[0]!.endsWith(" in") && lines[1] && !lines[1].startsWith("→") ? `${lines[0]} ${lines[1]}` : lines[0]!;
  return `${head}: ${lines.at(-1)}`;
}
