/**
 * A short history of each seller's conversation with the bot, for the handover notice.
 * The inbox cannot serve: it keeps no text once a message is handled (decision 0008), so
 * this keeps the last few lines per seller apart, and only for HANDOVER_HISTORY_HOURS.
 */
import type { AppDeps, Ctx } from "../../core/context.ts";
import type { Db } from "../../db/client.ts";

/** Lines shown in a notice. */
export const HISTORY_LINES = 6;
const MAX_TEXT = 300;

/** One line of history. */
export interface HistoryLine {
  author: "seller" | "bot";
  text: string;
  at: Date;
}

/** What the seller sent, as one line ("[voice note]" for a voice note). */
export function describeInbound(ctx: Ctx): string | null {
  const c = ctx.message.content;
  switch (c.kind) {
    case "text":
      return ctx.text;
    case "voice":
      return "[voice note]";
    case "choice":
      return c.label ? `[${c.label}]` : null;
    case "location":
      return `[location ${c.latitude.toFixed(3)}, ${c.longitude.toFixed(3)}]`;
    default:
      return null;
  }
}

const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/** The history kept in memory for a moment and written in batches (see createHistoryBuffer). */
export interface HistoryBuffer {
  /** Notes a seller's message and the bot's replies to it (after the reply went out). */
  record(ctx: Ctx, inbound: string | null): void;
  /** Writes what is waiting; never throws. */
  flush(): Promise<void>;
}

/**
 * Writes history rows in one INSERT per second (or per 200 rows) instead of one per
 * message: a Prisma statement costs about as much CPU as the rest of a message's handling
 * (bench/handover.bench.ts). Rows of the last second are lost in a crash; they are context
 * for a notice, not a record. A notice built in this process flushes first.
 */
export function createHistoryBuffer(deps: AppDeps, options: { delayMs?: number; maxRows?: number } = {}): HistoryBuffer {
  const delayMs = options.delayMs ?? 1000;
  const maxRows = options.maxRows ?? 200;
  let rows: Array<{ userId: number; author: string; text: string; at: Date }> = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = rows;
    rows = [];
    writing = writing.then(async () => {
      if (batch.length === 0) return;
      await insertRows(deps, batch).catch((err: unknown) => deps.log.warn({ err, rows: batch.length }, "handover: could not record history"));
    });
    return writing;
  };
  return {
    record(ctx, inbound) {
      if (ctx.user.role !== "seller" || ctx.message.chat.kind !== "private") return;
      const at = deps.now();
      rows.push(
        ...[
          ...(inbound ? [{ userId: ctx.user.id, author: "seller", text: clip(inbound), at }] : []),
          ...ctx.replies.slice(0, 2).map((r) => ({ userId: ctx.user.id, author: "bot", text: clip(r.text.split("\n\n")[0] ?? ""), at })),
        ].filter((r) => r.text),
      );
      if (rows.length >= maxRows) void flush();
      else if (rows.length && !timer) {
        timer = setTimeout(() => void flush(), delayMs);
        timer.unref();
      }
    },
    flush,
  };
}

/**
 * One INSERT with the rows as one JSON parameter: Prisma's createMany costs CPU per row,
 * which on this path (every seller message) came to a third of a message's handling
 * (bench/handover.bench.ts; the partners import does the same, decision 0202).
 */
async function insertRows(deps: AppDeps, rows: Array<{ userId: number; author: string; text: string; at: Date }>): Promise<void> {
  if (deps.database.provider === "postgresql") {
    const json = JSON.stringify(rows.map((r) => ({ ...r, at: r.at.toISOString() })));
    await deps.db.$executeRawUnsafe(
      `INSERT INTO "RecentMessage" ("userId","author","text","at") SELECT "userId","author","text",CAST("at" AS timestamp(3)) FROM json_to_recordset($1::json) AS x("userId" integer,"author" text,"text" text,"at" text)`,
      json,
    );
    return;
  }
  // The text form Prisma's SQLite adapter writes for DateTime (ISO 8601 with +00:00).
  const json = JSON.stringify(rows.map((r) => ({ ...r, at: r.at.toISOString().replace("Z", "+00:00") })));
  await deps.db.$executeRawUnsafe(
    `INSERT INTO "RecentMessage" ("userId","author","text","at") SELECT json_extract(value,'$.userId'),json_extract(value,'$.author'),json_extract(value,'$.text'),json_extract(value,'$.at') FROM json_each(?)`,
    json,
  );
}

/** The seller's last lines, oldest first. */
export async function recentHistory(db: Db, userId: number, limit = HISTORY_LINES): Promise<HistoryLine[]> {
  const rows = await db.recentMessage.findMany({ where: { userId }, orderBy: { id: "desc" }, take: limit });
  return rows.reverse().map((r) => ({ author: r.author === "bot" ? "bot" : "seller", text: r.text, at: r.at }));
}

/** Deletes history older than `hours`. */
export async function pruneHistory(db: Db, now: Date, hours: number): Promise<number> {
  const { count } = await db.recentMessage.deleteMany({ where: { at: { lt: new Date(now.getTime() - hours * 3600_000) } } });
  return count;
}
