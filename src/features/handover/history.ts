/**
 * A short history of each seller's conversation with the bot, for the handover notice.
 * The inbox cannot serve: it keeps no text once a message is handled (decision 0008), so
 * this keeps the last few lines per seller apart, and only for HANDOVER_HISTORY_HOURS.
 */
import type { Ctx } from "../../core/context.ts";
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

/** Records a seller's message and the bot's replies to it. Best effort: never throws. */
export async function recordExchange(ctx: Ctx, inbound: string | null): Promise<void> {
  if (ctx.user.role !== "seller" || ctx.message.chat.kind !== "private") return;
  const at = ctx.deps.now();
  const rows = [
    ...(inbound ? [{ userId: ctx.user.id, author: "seller", text: clip(inbound), at }] : []),
    ...ctx.replies.slice(0, 2).map((r) => ({ userId: ctx.user.id, author: "bot", text: clip(r.text.split("\n\n")[0] ?? ""), at })),
  ].filter((r) => r.text);
  if (rows.length === 0) return;
  // After the reply went out: a failure here must not make the message be handled again.
  await ctx.deps.db.recentMessage.createMany({ data: rows }).catch((err: unknown) => ctx.deps.log.warn({ err }, "handover: could not record history"));
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
