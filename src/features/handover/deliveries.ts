/**
 * The handover's outbox. Every message to staff or to a seller that is not the reply to the
 * message being handled is written as a HandoverDelivery row in the same transaction as the
 * change that caused it, and sent by the handover job. After a send the platform ids are
 * recorded (HandoverNotice) for staff messages, so a reply to them finds the handover.
 * Why not the broadcasts outbox: it does not record what the platform returned, carries no
 * media and picks the recipient's channel itself (docs/decisions/1001-handover.md).
 *
 * Claiming is one conditional UPDATE per row (status still pending, or a stale claim), which
 * is atomic on SQLite and PostgreSQL alike, so two processes never both send a row. A send
 * whose outcome was never written (a crash in between) is sent again after the lease.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { AppDeps } from "../../core/context.ts";
import { isChannelError } from "../../core/errors.ts";
import { LANGS, type ChannelId, type Lang, type MediaRef, type OutboundMessage } from "../../core/types.ts";
import type { Db } from "../../db/client.ts";

/** What one delivery says. */
export interface DeliveryContent {
  text: string;
  /** A voice note passed on (only when the recipient is on the channel it came from). */
  media?: MediaRef;
}

/** One row to write. */
export interface NewDelivery {
  userId: number;
  channel: ChannelId;
  chatId: string;
  audience: "staff" | "seller";
  content: DeliveryContent;
}

const mediaSchema = z.object({
  channel: z.enum(["telegram", "whatsapp", "console"]),
  type: z.enum(["voice", "audio", "image", "video", "document"]),
  ref: z.string().min(1).max(4000),
  mimeType: z.string().max(200).optional(),
  durationSeconds: z.number().nonnegative().optional(),
  filename: z.string().max(300).optional(),
});
const contentSchema = z.object({ text: z.string().max(20_000), media: mediaSchema.optional() });

/** Reads a stored MediaRef back (state, delivery content); null when it is not one. */
export function parseMedia(value: unknown): MediaRef | null {
  const parsed = mediaSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Writes delivery rows (inside the caller's transaction). */
export async function queueDeliveries(tx: Tx | Db, handoverId: number, items: NewDelivery[], now: Date): Promise<void> {
  if (items.length === 0) return;
  await tx.handoverDelivery.createMany({
    data: items.map((d) => ({
      handoverId,
      userId: d.userId,
      channel: d.channel,
      chatId: d.chatId,
      audience: d.audience,
      content: JSON.stringify(d.content),
      notBefore: now,
      createdAt: now,
    })),
  });
}

/** Channels in the order a staff member is reached on when they are not on the seller's. */
const PREFERENCE: ChannelId[] = ["telegram", "whatsapp", "console"];

/** Where to reach one user: their identity on `prefer` if any, else the first by preference. */
export async function reachOf(db: Tx | Db, userId: number, prefer?: ChannelId): Promise<{ userId: number; lang: Lang; channel: ChannelId; chatId: string } | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { language: true, identities: { select: { channel: true, externalId: true, blockedAt: true } } } });
  if (!user) return null;
  const open = user.identities.filter((i) => !i.blockedAt);
  const order = prefer ? [prefer, ...PREFERENCE.filter((c) => c !== prefer)] : PREFERENCE;
  for (const channel of order) {
    const identity = open.find((i) => i.channel === channel);
    if (identity) return { userId, lang: asLang(user.language), channel, chatId: identity.externalId };
  }
  return null;
}

/** A user's language as a Lang (English for anything unknown). */
export function asLang(value: string): Lang {
  return (LANGS as readonly string[]).includes(value) ? (value as Lang) : "en";
}

/** Options of the sender (tests shorten the lease). */
export interface SenderOptions {
  leaseMs?: number;
  maxAttempts?: number;
}

/** Sends due deliveries for the channels running in this process. */
export interface DeliverySender {
  /** Sends what is due now, oldest first; resolves when done. Returns rows handled. */
  flush(): Promise<number>;
  /** Resolves when no flush is running. */
  idle(): Promise<void>;
}

/** Creates the sender. */
export function createDeliverySender(deps: AppDeps, options: SenderOptions = {}): DeliverySender {
  const id = `handover:${process.pid}:${randomBytes(3).toString("hex")}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 6;
  let running: Promise<number> | undefined;

  async function claimDue(): Promise<Array<{ id: number }>> {
    const now = deps.now();
    const channels = PREFERENCE.filter((c) => deps.messenger.capabilities(c));
    if (channels.length === 0) return [];
    const stale = new Date(now.getTime() - leaseMs);
    const due = await deps.db.handoverDelivery.findMany({
      where: { channel: { in: channels }, OR: [{ status: "pending", notBefore: { lte: now } }, { status: "sending", claimedAt: { lt: stale } }] },
      orderBy: { id: "asc" },
      take: 50,
      select: { id: true, status: true, claimedAt: true },
    });
    const mine: Array<{ id: number }> = [];
    for (const row of due) {
      // The re-check inside one UPDATE decides a race with another process.
      const { count } = await deps.db.handoverDelivery.updateMany({
        where: { id: row.id, OR: [{ status: "pending", notBefore: { lte: now } }, { status: "sending", claimedAt: { lt: stale } }] },
        data: { status: "sending", claimedAt: now, claimedBy: id },
      });
      if (count === 1) mine.push(row);
    }
    return mine;
  }

  async function sendOne(rowId: number): Promise<void> {
    const row = await deps.db.handoverDelivery.findUnique({ where: { id: rowId } });
    if (!row || row.claimedBy !== id) return;
    const parsed = (() => {
      try {
        return contentSchema.safeParse(JSON.parse(row.content));
      } catch {
        return null;
      }
    })();
    if (!parsed?.success) {
      await deps.db.handoverDelivery.update({ where: { id: rowId }, data: { status: "failed", lastError: "content invalid", claimedBy: null, claimedAt: null } });
      return;
    }
    const user = await deps.db.user.findUnique({ where: { id: row.userId }, select: { language: true } });
    const channel = row.channel as ChannelId;
    const message: OutboundMessage = { text: parsed.data.text, ...(parsed.data.media ? { media: parsed.data.media } : {}) };
    let sent: Array<{ messageId: string }>;
    try {
      sent = await deps.messenger.reply({ channel, chatId: row.chatId, userId: row.userId, lang: asLang(user?.language ?? "en") }, message);
    } catch (error) {
      return failed(row, error);
    }
    const now = deps.now();
    await deps.db.$transaction(async (tx) => {
      await tx.handoverDelivery.update({ where: { id: rowId }, data: { status: "sent", sentAt: now, lastError: null, claimedBy: null, claimedAt: null } });
      if (row.audience === "staff" && sent.length) {
        await tx.handoverNotice.createMany({ data: sent.map((s) => ({ handoverId: row.handoverId, channel: row.channel, chatId: row.chatId, messageId: s.messageId, createdAt: now })) });
      }
    });
  }

  async function failed(row: { id: number; attempts: number }, error: unknown): Promise<void> {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const kind = isChannelError(error) ? error.kind : "network";
    const attempts = row.attempts + 1;
    const retry = (kind === "network" || kind === "rate-limited") && attempts < maxAttempts;
    const status = kind === "blocked" ? "blocked" : retry ? "pending" : "failed";
    const wait = Math.min(10 * 60_000, 2000 * 2 ** (attempts - 1));
    deps.log.warn({ err: error, deliveryId: row.id, status }, "handover: a delivery failed");
    await deps.db.handoverDelivery.update({
      where: { id: row.id },
      data: { status, attempts, lastError: reason, notBefore: new Date(deps.now().getTime() + wait), claimedBy: null, claimedAt: null },
    });
  }

  async function flushOnce(): Promise<number> {
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const rows = await claimDue();
      if (rows.length === 0) break;
      // One at a time, in id order: a notice goes before the voice note that follows it.
      for (const row of rows) {
        await sendOne(row.id).catch(async (err: unknown) => {
          deps.log.error({ err, deliveryId: row.id }, "handover: delivery failed");
          await deps.db.handoverDelivery.updateMany({ where: { id: row.id, claimedBy: id, status: "sending" }, data: { status: "pending", claimedBy: null, claimedAt: null } }).catch(() => undefined);
        });
        total += 1;
      }
    }
    return total;
  }

  let again: Promise<number> | undefined;
  const sender: DeliverySender = {
    flush() {
      if (!running) {
        running = flushOnce().finally(() => (running = undefined));
        return running;
      }
      // One flush at a time in this process. A caller during one gets the next, which also
      // sees rows queued meanwhile; callers in between share it (a burst of wakes is one flush).
      again ??= running
        .catch(() => 0)
        .then(() => {
          again = undefined;
          return sender.flush();
        });
      return again;
    },
    async idle() {
      while (running || again) await (again ?? running)!.catch(() => 0);
    },
  };
  return sender;
}
