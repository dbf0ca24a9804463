/**
 * Handover rows: opening one (at most one open per seller, also when two requests race),
 * finding one by code, by a notice's platform id or by the seller, closing it.
 */
import { randomInt } from "node:crypto";
import type { AppDeps } from "../../core/context.ts";
import { isUniqueViolation } from "../../core/users.ts";
import type { Db } from "../../db/client.ts";
import { queueDeliveries, type NewDelivery } from "./deliveries.ts";

/** A handover row as stored. */
export type HandoverRow = NonNullable<Awaited<ReturnType<Db["handover"]["findUnique"]>>>;

/** Why a seller was handed over. */
export type HandoverReason = "human" | "voice" | "complaint.partner";

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A new code: "H" and four characters that cannot be misread (no 0/O, 1/I). */
export function newCode(): string {
  let code = "H";
  for (let i = 0; i < 4; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** What a staff member typed as a code ("h7k2q", "7K2Q", "#H7K2Q") in the stored form. */
export function normaliseCode(text: string): string | null {
  const raw = text.trim().replace(/^#/, "").toUpperCase();
  const code = raw.startsWith("H") && raw.length === 5 ? raw : `H${raw}`;
  return /^H[A-Z2-9]{4}$/.test(code) ? code : null;
}

/** The seller's open handover, if any. */
export function openHandoverOf(db: Db, sellerId: number): Promise<HandoverRow | null> {
  return db.handover.findUnique({ where: { openSellerId: sellerId } });
}

/** What to open. */
export interface OpenInput {
  sellerId: number;
  partnerId: number | null;
  aboutPartnerId: number | null;
  reason: HandoverReason;
  channel: string;
  chatId: string;
  pickupDueAt: Date;
  lastMessage: string;
}

/**
 * Opens a handover and queues its notices in one transaction. Returns the existing open one
 * instead when the seller has one already: the unique `openSellerId` decides a race, on
 * SQLite and PostgreSQL alike.
 */
export async function createHandover(deps: AppDeps, input: OpenInput, build: (code: string) => Promise<NewDelivery[]>): Promise<{ created: boolean; handover: HandoverRow }> {
  const now = deps.now();
  for (let attempt = 0; ; attempt++) {
    const code = newCode();
    const deliveries = await build(code);
    try {
      const handover = await deps.db.$transaction(async (tx) => {
        const row = await tx.handover.create({
          data: { ...input, code, openSellerId: input.sellerId, status: "open", openedAt: now, lastActivityAt: now, lastMessage: input.lastMessage.slice(0, 200) },
        });
        await queueDeliveries(tx, row.id, deliveries, now);
        return row;
      });
      return { created: true, handover };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await openHandoverOf(deps.db, input.sellerId);
      if (existing) return { created: false, handover: existing };
      // The code was taken (one in a million): try another.
      if (attempt >= 4) throw error;
    }
  }
}

/** The handover a reply to one of the bot's staff messages belongs to. */
export async function handoverOfNotice(db: Db, channel: string, chatId: string, messageId: string): Promise<HandoverRow | null> {
  const notice = await db.handoverNotice.findUnique({ where: { channel_chatId_messageId: { channel, chatId, messageId } } });
  return notice ? db.handover.findUnique({ where: { id: notice.handoverId } }) : null;
}

/**
 * A handover by what staff typed: its code, or the seller's number or Telegram id (both are
 * in the notice's chat link). By number only an open one is found.
 */
export async function findHandover(db: Db, ref: string): Promise<HandoverRow | null> {
  const code = normaliseCode(ref);
  if (code) {
    const row = await db.handover.findUnique({ where: { code } });
    if (row) return row;
  }
  const digits = ref.replace(/[\s+()-]/g, "");
  if (!/^\d{5,20}$/.test(digits)) return null;
  const identity = await db.channelIdentity.findFirst({
    where: { OR: [{ channel: "whatsapp", externalId: `${digits}@s.whatsapp.net` }, { channel: "telegram", externalId: digits }] },
    select: { userId: true },
  });
  return identity ? db.handover.findUnique({ where: { openSellerId: identity.userId } }) : null;
}

/**
 * Closes an open handover and queues the messages that say so, in one transaction. False
 * when it was closed already (two closes at once: the first wins, the second sends nothing).
 */
export async function closeHandover(
  deps: AppDeps,
  handover: HandoverRow,
  how: { reason: "done" | "timeout" | "stop"; by: number | null; onlyIfIdleSince?: Date },
  deliveries: NewDelivery[],
): Promise<boolean> {
  const now = deps.now();
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.handover.updateMany({
      where: { id: handover.id, status: "open", ...(how.onlyIfIdleSince ? { lastActivityAt: { lt: how.onlyIfIdleSince } } : {}) },
      data: { status: "closed", openSellerId: null, closedAt: now, closedReason: how.reason, closedBy: how.by },
    });
    if (count !== 1) return false;
    await queueDeliveries(tx, handover.id, deliveries, now);
    return true;
  });
}

/** The users who got this handover's staff messages (the notice, an escalation). */
export async function staffRecipients(db: Db, handoverId: number): Promise<number[]> {
  const rows = await db.handoverDelivery.findMany({ where: { handoverId, audience: "staff" }, select: { userId: true }, distinct: ["userId"] });
  return rows.map((r) => r.userId);
}

/**
 * Which sellers have an open handover, kept in memory so that a seller's message costs no
 * query when they have none (nearly always). Opening and closing here update it at once;
 * what other processes open or close is read again at most every `refreshMs` (one query over
 * the open handovers, which are few). A seller found here is looked up in the database.
 */
export function createOpenSellers(db: Db, refreshMs = 2000) {
  let ids = new Set<number>();
  let loadedAt = -Infinity;
  let loading: Promise<void> | undefined;
  const refresh = async () => {
    const started = Date.now();
    const rows = await db.handover.findMany({ where: { status: "open" }, select: { sellerId: true } });
    ids = new Set(rows.map((r) => r.sellerId));
    loadedAt = started;
  };
  return {
    /** Whether the seller may have an open handover (then look it up). */
    async has(sellerId: number): Promise<boolean> {
      if (Date.now() - loadedAt > refreshMs) {
        loading ??= refresh().finally(() => (loading = undefined));
        await loading;
      }
      return ids.has(sellerId);
    },
    add: (sellerId: number) => void ids.add(sellerId),
    remove: (sellerId: number) => void ids.delete(sellerId),
  };
}
