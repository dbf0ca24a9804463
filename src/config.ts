/**
 * The one module that reads `process.env`. Everything else receives a typed {@link Config}.
 * A bad or missing value stops the start with one line per field saying what is expected.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The content shipped with the package, wherever the command runs from. */
export const SHIPPED_CONTENT_DIR = fileURLToPath(new URL("../content", import.meta.url));

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    DATABASE_URL: z
      .string()
      .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, "expected file:./path.db or postgres://user@host:port/db")
      .default("file:./data/seller-bot.db"),
    /**
     * Folder with partner-editable content (FAQ, stages, samples). Unset: the package's own
     * content/; a relative path is relative to the directory the command runs in.
     */
    CONTENT_DIR: z.string().min(1).optional(),
    HTTP_PORT: int(8080, 0).refine((n) => n <= 65535, "expected a port number 0-65535"),
    /** Address the HTTP server listens on: loopback unless a proxy or Docker needs more. */
    HTTP_HOST: z.string().min(1).default("127.0.0.1"),
    /** SIGTERM/SIGINT: how long `start` may take to stop before it exits anyway. */
    SHUTDOWN_TIMEOUT_MS: int(10_000, 100),
    /** One message's handling may take this long before the user's next message goes ahead. */
    MESSAGE_DEADLINE_MS: int(30_000, 100),
    /** An inbox row claimed longer than this belonged to a process that died: handled again. */
    INBOX_LEASE_MS: int(60_000, 200),
    /** PostgreSQL: opening a connection or waiting for a free one. */
    DATABASE_CONNECT_TIMEOUT_MS: int(5_000, 100),
    /** One statement (PostgreSQL statement_timeout; SQLite: waiting for another writer's lock). */
    DATABASE_STATEMENT_TIMEOUT_MS: int(10_000, 100),
    /**
     * Where people reach the dashboard (`https://bot.example.org`): login links start with
     * it and the session cookie is Secure when it is https. Default http://127.0.0.1:HTTP_PORT.
     */
    DASHBOARD_BASE_URL: z
      .string()
      .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?\/?$/i, "expected an origin like https://bot.example.org (http or https, no path, query or #)")
      .transform((u) => u.replace(/\/$/, ""))
      .optional(),
    /** Who is an admin from the first message: comma-separated `channel:externalId`. */
    SELLER_BOT_ADMINS: z.string().default(""),

    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, "expected a token like 123456:ABC-def").optional(),
    TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
    /** The bot's @username (without @) for t.me links, e.g. invitation links to events. */
    TELEGRAM_BOT_USERNAME: z.string().regex(/^@?[A-Za-z]\w{3,31}$/, "expected a bot username like seller_help_bot").transform((s) => s.replace(/^@/, "")).optional(),
    TELEGRAM_MODE: z.enum(["polling", "webhook"]).default("polling"),
    /** How long `start` keeps trying to reach the Bot API (getMe) before it gives up. */
    TELEGRAM_START_TIMEOUT_MS: int(30_000, 100),
    TELEGRAM_WEBHOOK_URL: z.url().optional(),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "expected 1-256 characters A-Z a-z 0-9 _ -")
      .optional(),

    WHATSAPP_ENABLED: bool.default(false),
    /** Answer in WhatsApp groups too (off: groups are ignored). */
    WHATSAPP_GROUPS: bool.default(false),
    WHATSAPP_DAILY_CAP: int(200, 1),
    WHATSAPP_MIN_GAP_MS: int(4000),
    WHATSAPP_MAX_GAP_MS: int(12000),

    /** WhatsApp Cloud API (docs/whatsapp-cloud.md): on when the token and the phone number id are set. */
    WHATSAPP_CLOUD_TOKEN: z.string().regex(/^\S{10,}$/, "expected the access token (no spaces)").optional(),
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: z.string().regex(/^\d{5,20}$/, "expected the numeric phone number id from the Meta app").optional(),
    /** The Meta app secret: webhook posts are signed with it (X-Hub-Signature-256). */
    WHATSAPP_CLOUD_APP_SECRET: z.string().min(8, "expected the app secret from the Meta app settings").optional(),
    /** Any string you choose; Meta sends it back in the webhook handshake. */
    WHATSAPP_CLOUD_VERIFY_TOKEN: z.string().min(8, "expected at least 8 characters").optional(),
    WHATSAPP_CLOUD_API_ROOT: z.url().default("https://graph.facebook.com/v23.0"),
    /** Outbox pace over all Cloud API chats (Meta allows 80 a second by default). */
    WHATSAPP_CLOUD_RATE_PER_SECOND: int(60, 1).refine((n) => n <= 1000, "expected at most 1000"),
    /** At least this long between two outbox messages to the same Cloud API user. */
    WHATSAPP_CLOUD_USER_GAP_MS: int(6000, 0),

    /** Telegram outbox pace, messages per second over all chats (Telegram allows about 30). */
    TELEGRAM_RATE_PER_SECOND: int(25, 1).refine((n) => n <= 30, "expected at most 30"),
    /** Admins' announcements on Telegram as paid broadcasts (allow_paid_broadcast: 0.1 Star a message). */
    TELEGRAM_PAID_BROADCAST: bool.default(false),
    /** The pace of paid broadcasts over all chats (Telegram allows up to 1000). */
    TELEGRAM_PAID_RATE_PER_SECOND: int(1000, 1).refine((n) => n <= 1000, "expected at most 1000"),
    PARTNER_DAILY_QUOTA: int(2000, 0),
    /** Partners farther than this are not offered as "near" (the finder says none is near). */
    PARTNER_MAX_DISTANCE_KM: int(150, 1),
    NUDGE_AFTER_DAYS: int(7, 1),
    /** Run the outbox worker and scheduled jobs in this process. */
    JOBS_ENABLED: bool.default(true),
    /** Outbox: a claimed row not finished within this long belonged to a dead worker and is retried. */
    OUTBOX_LEASE_MS: int(60_000, 1000),
    /** Outbox: Telegram sends in flight at once (the pace is still TELEGRAM_RATE_PER_SECOND). */
    OUTBOX_CONCURRENCY: int(32, 1),
    /** Reply loop guard: more answers than this to one chat within the window pause it (0: off). */
    REPLY_GUARD_MAX_REPLIES: int(10, 0),
    REPLY_GUARD_WINDOW_MS: int(60_000, 1000),
    /** How long a chat over the reply limit is not answered. */
    REPLY_GUARD_PAUSE_MS: int(10 * 60_000, 0),
    /** Handover: the partner should answer within this many working hours, else admins are told. */
    HANDOVER_PICKUP_HOURS: z.coerce.number().positive().max(720).default(4),
    /** Handover: closes itself after this many hours without a message from either side. */
    HANDOVER_IDLE_HOURS: z.coerce.number().positive().max(720).default(24),
    /** Handover: the partners' working hours, e.g. "Mon-Sat 09:00-18:00" or "Mon,Wed,Fri 10:00-16:00". */
    HANDOVER_WORKING_HOURS: z
      .string()
      .default("Mon-Sat 09:00-18:00")
      .transform((s, ctx) => {
        const parsed = parseWorkingHours(s);
        if (!parsed) ctx.addIssue({ code: "custom", message: 'expected days and hours like "Mon-Sat 09:00-18:00"' });
        return parsed ?? { days: [], startMinute: 0, endMinute: 0 };
      }),
    /** Handover: the time zone of the working hours (an IANA name). */
    HANDOVER_TIMEZONE: z
      .string()
      .refine((tz) => isTimeZone(tz), "expected an IANA time zone like Asia/Karachi")
      .default("Asia/Karachi"),
    /** Handover: how long the short history of a seller's messages (shown to staff) is kept. */
    HANDOVER_HISTORY_HOURS: int(48, 1),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_MODE === "webhook" && env.TELEGRAM_BOT_TOKEN) {
      if (!env.TELEGRAM_WEBHOOK_URL) ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_URL"], message: "required when TELEGRAM_MODE=webhook" });
      if (!env.TELEGRAM_WEBHOOK_SECRET) ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_SECRET"], message: "required when TELEGRAM_MODE=webhook" });
    }
    if (env.INBOX_LEASE_MS <= env.MESSAGE_DEADLINE_MS) {
      ctx.addIssue({ code: "custom", path: ["INBOX_LEASE_MS"], message: "must be longer than MESSAGE_DEADLINE_MS (a live handler must never lose its message)" });
    }
    if (env.WHATSAPP_CLOUD_TOKEN && env.WHATSAPP_CLOUD_PHONE_NUMBER_ID) {
      // Without them the webhook could not be verified, and unsigned posts would be trusted.
      if (!env.WHATSAPP_CLOUD_APP_SECRET) ctx.addIssue({ code: "custom", path: ["WHATSAPP_CLOUD_APP_SECRET"], message: "required when the WhatsApp Cloud API is on" });
      if (!env.WHATSAPP_CLOUD_VERIFY_TOKEN) ctx.addIssue({ code: "custom", path: ["WHATSAPP_CLOUD_VERIFY_TOKEN"], message: "required when the WhatsApp Cloud API is on" });
    }
    if (env.WHATSAPP_CLOUD_TOKEN && env.WHATSAPP_CLOUD_USER_GAP_MS * 2 >= env.OUTBOX_LEASE_MS) {
      // A row that waits out a user's gap longer than most of its lease gives its claim back,
      // and its next claim waits the gap again: it would never be sent.
      ctx.addIssue({ code: "custom", path: ["WHATSAPP_CLOUD_USER_GAP_MS"], message: "must be less than half of OUTBOX_LEASE_MS" });
    }
    if (Boolean(env.WHATSAPP_CLOUD_TOKEN) !== Boolean(env.WHATSAPP_CLOUD_PHONE_NUMBER_ID)) {
      const missing = env.WHATSAPP_CLOUD_TOKEN ? "WHATSAPP_CLOUD_PHONE_NUMBER_ID" : "WHATSAPP_CLOUD_TOKEN";
      ctx.addIssue({ code: "custom", path: [missing], message: "the WhatsApp Cloud API needs both WHATSAPP_CLOUD_TOKEN and WHATSAPP_CLOUD_PHONE_NUMBER_ID" });
    }
    if (env.WHATSAPP_MAX_GAP_MS < env.WHATSAPP_MIN_GAP_MS) {
      ctx.addIssue({ code: "custom", path: ["WHATSAPP_MAX_GAP_MS"], message: "must be ≥ WHATSAPP_MIN_GAP_MS" });
    }
  });

type Env = z.infer<typeof envSchema>;

/** Validated settings for the whole process. */
export interface Config {
  env: Env["NODE_ENV"];
  logLevel: Env["LOG_LEVEL"];
  /** Whether LOG_LEVEL was set (the terminal chat is quieter unless it was). */
  logLevelSet: boolean;
  database: { url: string; provider: "sqlite" | "postgresql"; timeouts: { connectMs: number; statementMs: number } };
  /** Absolute path of the content folder. */
  contentDir: string;
  httpPort: number;
  httpHost: string;
  shutdownTimeoutMs: number;
  /** The inbox: per-message deadline and claim lease (docs/decisions/0008-inbound-inbox.md). */
  inbox: { deadlineMs: number; leaseMs: number };
  /** The dashboard's public base URL (no trailing slash) and whether its cookie is Secure. */
  dashboard: { baseUrl: string; secureCookie: boolean };
  admins: Array<{ channel: string; externalId: string }>;
  telegram?: {
    token: string;
    apiRoot: string;
    mode: "polling" | "webhook";
    webhookUrl?: string;
    webhookSecret?: string;
    ratePerSecond: number;
    startTimeoutMs: number;
  };
  telegramRatePerSecond: number;
  /** Admins' Telegram announcements sent as paid broadcasts, and their pace (docs/broadcasts.md). */
  telegramPaidBroadcast: { enabled: boolean; ratePerSecond: number };
  /** The bot's username for t.me links; unset: links are shown as the /start command. */
  telegramBotUsername?: string;
  whatsapp: { enabled: boolean; groups: boolean; dailyCap: number; minGapMs: number; maxGapMs: number };
  /** The WhatsApp Cloud API channel; undefined when off (docs/whatsapp-cloud.md). */
  whatsappCloud?: {
    token: string;
    phoneNumberId: string;
    appSecret: string;
    verifyToken: string;
    apiRoot: string;
    ratePerSecond: number;
    userGapMs: number;
  };
  partnerDailyQuota: number;
  partnerMaxDistanceKm: number;
  nudgeAfterDays: number;
  jobsEnabled: boolean;
  outbox: { leaseMs: number; concurrency: number };
  /** Reply loop guard (src/core/reply-guard.ts); unset: its defaults. */
  replyGuard?: { maxReplies: number; windowMs: number; pauseMs: number };
  /** The handover to a person (docs/handover.md). */
  handover: {
    pickupHours: number;
    idleHours: number;
    workingHours: WorkingHours;
    historyHours: number;
  };
}

/** Working days (0 = Sunday … 6 = Saturday) and hours (minutes after local midnight) in a time zone. */
export interface WorkingHours {
  days: number[];
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

/** Raised when the environment is invalid; `message` lists every bad field. */
export class ConfigError extends Error {
  constructor(readonly fields: Array<{ field: string; problem: string }>) {
    super(`Invalid configuration:\n${fields.map((f) => `  ${f.field}: ${f.problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment (default `process.env`); empty strings count as unset. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ field: i.path.join(".") || "(env)", problem: i.message })));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    logLevelSet: cleaned.LOG_LEVEL !== undefined,
    database: {
      url: e.DATABASE_URL,
      provider: e.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql",
      timeouts: { connectMs: e.DATABASE_CONNECT_TIMEOUT_MS, statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS },
    },
    contentDir: e.CONTENT_DIR === undefined ? SHIPPED_CONTENT_DIR : isAbsolute(e.CONTENT_DIR) ? e.CONTENT_DIR : resolve(e.CONTENT_DIR),
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    inbox: { deadlineMs: e.MESSAGE_DEADLINE_MS, leaseMs: e.INBOX_LEASE_MS },
    dashboard: {
      baseUrl: e.DASHBOARD_BASE_URL ?? `http://127.0.0.1:${e.HTTP_PORT}`,
      secureCookie: e.DASHBOARD_BASE_URL?.startsWith("https:") ?? false,
    },
    admins: parseAdmins(e.SELLER_BOT_ADMINS),
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          apiRoot: e.TELEGRAM_API_ROOT,
          mode: e.TELEGRAM_MODE,
          webhookUrl: e.TELEGRAM_WEBHOOK_URL,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
          ratePerSecond: e.TELEGRAM_RATE_PER_SECOND,
          startTimeoutMs: e.TELEGRAM_START_TIMEOUT_MS,
        }
      : undefined,
    telegramRatePerSecond: e.TELEGRAM_RATE_PER_SECOND,
    telegramPaidBroadcast: { enabled: e.TELEGRAM_PAID_BROADCAST, ratePerSecond: e.TELEGRAM_PAID_RATE_PER_SECOND },
    telegramBotUsername: e.TELEGRAM_BOT_USERNAME,
    whatsapp: {
      enabled: e.WHATSAPP_ENABLED,
      groups: e.WHATSAPP_GROUPS,
      dailyCap: e.WHATSAPP_DAILY_CAP,
      minGapMs: e.WHATSAPP_MIN_GAP_MS,
      maxGapMs: e.WHATSAPP_MAX_GAP_MS,
    },
    whatsappCloud:
      e.WHATSAPP_CLOUD_TOKEN && e.WHATSAPP_CLOUD_PHONE_NUMBER_ID
        ? {
            token: e.WHATSAPP_CLOUD_TOKEN,
            phoneNumberId: e.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
            // superRefine above requires both when the channel is on.
            appSecret: e.WHATSAPP_CLOUD_APP_SECRET!,
            verifyToken: e.WHATSAPP_CLOUD_VERIFY_TOKEN!,
            apiRoot: e.WHATSAPP_CLOUD_API_ROOT.replace(/\/+$/, ""),
            ratePerSecond: e.WHATSAPP_CLOUD_RATE_PER_SECOND,
            userGapMs: e.WHATSAPP_CLOUD_USER_GAP_MS,
          }
        : undefined,
    partnerDailyQuota: e.PARTNER_DAILY_QUOTA,
    partnerMaxDistanceKm: e.PARTNER_MAX_DISTANCE_KM,
    nudgeAfterDays: e.NUDGE_AFTER_DAYS,
    jobsEnabled: e.JOBS_ENABLED,
    outbox: { leaseMs: e.OUTBOX_LEASE_MS, concurrency: e.OUTBOX_CONCURRENCY },
    replyGuard: { maxReplies: e.REPLY_GUARD_MAX_REPLIES, windowMs: e.REPLY_GUARD_WINDOW_MS, pauseMs: e.REPLY_GUARD_PAUSE_MS },
    handover: {
      pickupHours: e.HANDOVER_PICKUP_HOURS,
      idleHours: e.HANDOVER_IDLE_HOURS,
      workingHours: { ...e.HANDOVER_WORKING_HOURS, timeZone: e.HANDOVER_TIMEZONE },
      historyHours: e.HANDOVER_HISTORY_HOURS,
    },
  };
}

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** "Mon-Sat 09:00-18:00" → days and minutes; null when it is not that shape. */
export function parseWorkingHours(text: string): Omit<WorkingHours, "timeZone"> | null {
  const m = /^\s*([a-z,\s-]+?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/i.exec(text);
  if (!m) return null;
  const days = new Set<number>();
  for (const part of m[1]!.split(",").map((p) => p.trim().toLowerCase())) {
    const [from, to] = part.split("-").map((d) => DAY_NAMES.indexOf(d.trim().slice(0, 3)));
    if (from === undefined || from < 0 || (to !== undefined && to < 0)) return null;
    // "Mon-Sat" walks forward through the week (so "Sat-Mon" is Sat, Sun, Mon).
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === (to ?? from)) break;
    }
  }
  const startMinute = Number(m[2]) * 60 + Number(m[3]);
  const endMinute = Number(m[4]) * 60 + Number(m[5]);
  if (Number(m[3]) > 59 || Number(m[5]) > 59 || endMinute > 24 * 60 || startMinute >= endMinute) return null;
  return { days: [...days].sort(), startMinute, endMinute };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parseAdmins(list: string): Config["admins"] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const at = s.indexOf(":");
      return { channel: s.slice(0, at), externalId: s.slice(at + 1) };
    })
    .filter((a) => a.channel && a.externalId);
}

/** Test-only settings: which database the suite runs on, and the base URL for PostgreSQL. */
export function loadTestSettings(source: Record<string, string | undefined> = process.env) {
  return z
    .object({
      TEST_DATABASE: z.enum(["sqlite", "postgres"]).default("sqlite"),
      TEST_POSTGRES_URL: z.string().default("postgresql://postgres@127.0.0.1:5432/test"),
      TEST_RUN_ID: z.string().default(String(process.pid)),
      VITEST_POOL_ID: z.string().default("1"),
    })
    .parse(source);
}
