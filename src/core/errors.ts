/**
 * The project's own error types for platform failures. Adapters translate grammY / Baileys
 * errors into these in one function each; the core and the outbox decide on them.
 */

/** Why a send failed, in terms the outbox can act on. */
export type ChannelErrorKind =
  /** Too many requests: wait `retryAfterMs`, then try again. */
  | "rate-limited"
  /** The person blocked the bot or left: do not retry, mark unreachable. */
  | "blocked"
  /** The chat or message does not exist (any more): do not retry. */
  | "not-found"
  /** Network fault or platform 5xx: retry with backoff. */
  | "network"
  /** The request itself was wrong (bad entities, text too long): do not retry as is. */
  | "bad-request"
  /** The group has a new chat id (Telegram supergroup upgrade, `migrateToChatId`): send there instead. */
  | "migrated"
  /** Outside the platform's window for free text (WhatsApp's 24 hours) and no template: skipped, not retried. */
  | "window-closed"
  /** The platform's per-user marketing limit (WhatsApp 131049): not retried, counted apart. */
  | "marketing-limit"
  /** The channel cannot send at all now (a revoked token): the message waits, the channel stops. */
  | "unavailable";

/** A platform failure translated by an adapter. */
export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; migrateToChatId?: string; scope?: "channel" | "chat" },
  ) {
    super(message, options);
    this.name = "ChannelError";
    this.scope = options?.scope ?? "channel";
    if (options?.migrateToChatId !== undefined) this.migrateToChatId = options.migrateToChatId;
  }

  /** For `migrated`: the group's new chat id. */
  readonly migrateToChatId?: string;

  /** For "rate-limited": whether the whole channel must wait, or only sends to this chat (WhatsApp's pair rate). */
  readonly scope: "channel" | "chat";

  /** Whether trying again later can succeed. */
  get retryable(): boolean {
    return this.kind === "rate-limited" || this.kind === "network";
  }
}

/** Type guard for {@link ChannelError}. */
export function isChannelError(error: unknown): error is ChannelError {
  return error instanceof ChannelError;
}

/**
 * A refusal meant for the user (bad input, not allowed): the handler throws it and the core
 * replies with its translated message instead of the generic apology.
 */
export class UserFacingError extends Error {
  constructor(
    /** i18n key, e.g. "partners:errors.notYourSeller" */
    readonly key: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(key);
    this.name = "UserFacingError";
  }
}

/**
 * A channel could not start: `configuration` (a rejected token, a refused webhook URL:
 * fix the settings) or `unreachable` (the platform did not answer: try again later).
 * `seller-bot start` exits with 78 or 69 so a supervisor can tell them apart.
 */
export class ChannelStartError extends Error {
  constructor(
    readonly reason: "configuration" | "unreachable",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ChannelStartError";
  }
}
