/**
 * What a feature sees while handling one message, and the shape of a feature.
 * Modelled on grammY's Composer: a feature is middleware `(ctx, next)` that either handles
 * the message or calls `next()` to pass it on.
 */
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Database, Db } from "../db/client.ts";
import type { I18n, Translate } from "../i18n/index.ts";
import type { Pacer } from "../features/broadcasts/pacer.ts";
import type { Messenger } from "./messenger.ts";
import type { ChannelCapabilities, Choice, InboundMessage, Lang, OutboundMessage } from "./types.ts";
import type { Understanding } from "./understanding.ts";

/** A user as the core knows them. */
export interface UserRecord {
  id: number;
  role: "seller" | "partner" | "admin";
  language: Lang;
  languageExplicit: boolean;
  displayName: string | null;
}

/** The user's conversation state (a multi-step flow owned by one feature). */
export interface ConversationState {
  /** Current flow, `"<feature>.<flow>"`, or null. */
  readonly flow: string | null;
  /** Flow data as stored; the owning feature validates it with zod when reading. */
  readonly data: unknown;
  /** Starts or updates a flow; it expires after `ttlMinutes` (default 60) of silence. */
  set(flow: string, data: unknown, ttlMinutes?: number): Promise<void>;
  /** Ends the flow. */
  clear(): Promise<void>;
}

/** Services every feature may use. Passed to `create*Feature(deps)`. */
export interface AppDeps {
  config: Config;
  database: Database;
  db: Db;
  i18n: I18n;
  log: Logger;
  /** Sends to any chat on any running channel (announcements, notices to partners). */
  messenger: Messenger;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  /** The platforms' limits for this process (shared through the database on PostgreSQL): replies and the outbox take the same permits. */
  pacer?: Pacer;
}

/** The per-message context handed through the middleware chain. */
export interface Ctx {
  readonly message: InboundMessage;
  /** Sanitised text for text messages, "" otherwise. */
  readonly text: string;
  /**
   * What the text means (shared/intents.md), computed once on first use; null for anything
   * that is not a non-empty text. Features act on it instead of guessing from `text`.
   */
  readonly understanding: Understanding | null;
  /** The numbered choices last offered in this chat (empty where the channel has buttons). */
  readonly choices: readonly Choice[];
  readonly user: UserRecord;
  /** Reply language for this message. */
  lang: Lang;
  /** Translator in the reply language. */
  t: Translate;
  readonly capabilities: ChannelCapabilities;
  readonly state: ConversationState;
  readonly deps: AppDeps;
  /** Sends a reply to the chat the message came from. */
  reply(message: OutboundMessage | string): Promise<void>;
  /** Switches the reply language (explicit = the user chose it). */
  setLanguage(lang: Lang, explicit: boolean): Promise<void>;
  /**
   * Hands the message to the feature that owns a routing topic (see shared/faq-topics.md),
   * e.g. the FAQ passing "find-partner" to the partner finder. False when none does.
   */
  handoff(topic: string): Promise<boolean>;
  /** Replies sent so far while handling this message. */
  readonly replies: OutboundMessage[];
}

/** The next middleware in the chain. */
export type Next = () => Promise<void>;

/** One step of message handling. */
export type Middleware = (ctx: Ctx, next: Next) => Promise<void>;

/** A background job a feature runs in `seller-bot start` (outbox worker, reminders). */
export interface Job {
  name: string;
  start(): void;
  /** Stops taking new work and waits for work in flight. */
  stop(): Promise<void>;
}

/** An entry of the help menu. */
export interface MenuEntry {
  /** i18n key of the label. */
  labelKey: string;
  /** Choice data routed back when picked. */
  data: string;
  /** Who sees it (default everyone). */
  roles?: UserRecord["role"][];
}

/**
 * A feature: one folder, reachable from every channel alike. Everything is optional so a
 * feature takes only the hooks it needs.
 */
export interface Feature {
  name: string;
  /**
   * Runs before any flow: for words that must win even in the middle of another feature's
   * conversation (STOP). Keep it cheap; it sees every message.
   */
  beforeFlows?: Middleware;
  /** Handlers for flows this feature started, keyed by flow name (`"<feature>.<flow>"`). */
  flows?: Record<string, Middleware>;
  /** Message handling; call `next()` for messages that are not this feature's. */
  middleware?: Middleware;
  /** Routing topics this feature answers (ids from shared/faq-topics.md). */
  topics?: Record<string, (ctx: Ctx) => Promise<void>>;
  /** Entries this feature adds to the help menu. */
  menu?: MenuEntry[];
  /** Adds sample data; called only when `start`/`chat` opens a brand-new embedded database. */
  seed?(): Promise<void>;
  /** Background jobs run by `seller-bot start`. */
  jobs?: Job[];
}
