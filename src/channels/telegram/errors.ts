/**
 * The one place where grammY / Bot API failures become the project's {@link ChannelError}.
 * The outbox and the core decide on the kind; nothing else looks at Telegram's wording.
 */
import { GrammyError, HttpError } from "grammy";
import { ChannelError } from "../../core/errors.ts";

// 400s that mean "the chat is gone", not "the request was wrong".
const NOT_FOUND = /chat not found|user not found|PEER_ID_INVALID|group chat was upgraded|CHAT_ID_INVALID|chat_id is empty/i;

/**
 * Translates any error thrown by a Bot API call:
 * 429 → rate-limited (retryAfterMs from `parameters.retry_after`); 403 (blocked, kicked,
 * deactivated, …) → blocked; 400 with `parameters.migrate_to_chat_id` (a group upgraded to
 * a supergroup) → migrated, carrying the new id; 400 chat not found → not-found; other 4xx → bad-request;
 * 5xx and {@link HttpError} (no answer at all) → network. Anything else is our own bug:
 * bad-request, so it is not retried forever.
 */
export function toChannelError(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof GrammyError) {
    const { error_code: code, description, method } = error;
    const message = `telegram ${method}: ${code} ${description}`;
    if (code === 429) return new ChannelError("rate-limited", message, retryAfterMs(error), { cause: error });
    if (code === 403) return new ChannelError("blocked", message, undefined, { cause: error });
    // "group chat was upgraded to a supergroup chat" with the new id: the outbox moves the
    // group and sends there (without the id it cannot, and the chat is as good as gone).
    const migrateTo = error.parameters?.migrate_to_chat_id;
    if (code === 400 && migrateTo !== undefined) return new ChannelError("migrated", withMigration(message, error), undefined, { cause: error, migrateToChatId: String(migrateTo) });
    if (code === 400 && NOT_FOUND.test(description)) return new ChannelError("not-found", withMigration(message, error), undefined, { cause: error });
    if (code >= 500) return new ChannelError("network", message, undefined, { cause: error });
    return new ChannelError("bad-request", message, undefined, { cause: error });
  }
  if (error instanceof HttpError) {
    // The inner fetch error names the request URL, which contains the bot token: keep only
    // a redacted copy so no log line (or error report) ever carries the token.
    const inner = error.error instanceof Error ? redactToken(error.error.message) : undefined;
    const message = `telegram: ${error.message}${inner ? ` (${inner})` : ""}`;
    return new ChannelError("network", message, undefined, { cause: new Error(inner ?? error.message) });
  }
  return new ChannelError("bad-request", `telegram: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
}

function retryAfterMs(error: GrammyError): number {
  const seconds = error.parameters?.retry_after;
  // Telegram always sends retry_after with 429; one second is a safe floor if it did not.
  return typeof seconds === "number" && seconds > 0 ? seconds * 1000 : 1000;
}

/** A group upgraded to a supergroup has a new id; say it so an operator can relink it. */
function withMigration(message: string, error: GrammyError): string {
  const to = error.parameters?.migrate_to_chat_id;
  return to === undefined ? message : `${message} (migrated to chat ${to})`;
}

/** Replaces anything shaped like a bot token (`123456:ABC…`) with `<token>`. */
export function redactToken(text: string): string {
  return text.replace(/\d{3,}:[A-Za-z0-9_-]{10,}/g, "<token>");
}
