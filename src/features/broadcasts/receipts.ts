/**
 * Delivery receipts (WhatsApp Cloud API `statuses[]`) applied to the outbox row of that
 * platform message id. A row's receipts only move forward: read > delivered > sent. A late
 * "sent" changes nothing, "read" also sets delivered, and "failed" turns a row that was
 * only sent into failed (or marketing-limited for 131049) with the code; after delivered
 * or read it changes nothing. Each rule is one conditional UPDATE, so receipts applied
 * twice, concurrently or out of order end the same (docs/decisions/0707-*).
 */
import type { Db } from "../../db/client.ts";
import type { ChannelId } from "../../core/types.ts";
import { OUTBOX_STATUS } from "./types.ts";

/** One receipt, as the channel read it. */
export interface Receipt {
  messageId: string;
  status: "sent" | "delivered" | "read" | "failed";
  at: Date;
  errorCode?: number;
  errorTitle?: string;
}

/** The per-user marketing limit: not a failure of the bot, counted apart. */
const MARKETING_LIMIT = 131049;

/**
 * Applies receipts; returns the message ids that matched no outbox row (a receipt that
 * arrived before the worker recorded the id, or a reply that is not in the outbox).
 */
export async function applyReceipts(db: Db, channel: ChannelId, receipts: Receipt[]): Promise<string[]> {
  if (receipts.length === 0) return [];
  const ids = [...new Set(receipts.map((r) => r.messageId))];
  const known = new Set(
    (await db.outboxMessage.findMany({ where: { channel, platformMessageId: { in: ids } }, select: { platformMessageId: true } })).map((r) => r.platformMessageId!),
  );
  for (const r of receipts) {
    if (!known.has(r.messageId)) continue;
    const row = { channel, platformMessageId: r.messageId };
    if (r.status === "delivered") {
      await db.outboxMessage.updateMany({ where: { ...row, deliveredAt: null }, data: { deliveredAt: r.at } });
    } else if (r.status === "read") {
      await db.outboxMessage.updateMany({ where: { ...row, readAt: null }, data: { readAt: r.at } });
      await db.outboxMessage.updateMany({ where: { ...row, deliveredAt: null }, data: { deliveredAt: r.at } });
    } else if (r.status === "failed") {
      const status = r.errorCode === MARKETING_LIMIT ? OUTBOX_STATUS.limited : OUTBOX_STATUS.failed;
      const lastError = `WhatsApp ${r.errorCode ?? "?"}${r.errorTitle ? `: ${r.errorTitle}` : ""}`.slice(0, 500);
      await db.outboxMessage.updateMany({ where: { ...row, status: OUTBOX_STATUS.sent, deliveredAt: null, readAt: null }, data: { status, lastError } });
    }
    // "sent": the worker already marked the row sent when the API accepted it.
  }
  return ids.filter((id) => !known.has(id));
}
