/**
 * Creating broadcasts (permission, quota, one outbox row per recipient), direct messages,
 * reports and admin controls. Everything sending-related happens later in the worker.
 */
import type { AppDeps } from "../../core/context.ts";
import { UserFacingError } from "../../core/errors.ts";
import { isUniqueViolation } from "../../core/users.ts";
import type { Db } from "../../db/client.ts";
import { partnerIdOfMember } from "../partners/api.ts";
import { pickIdentity, resolveAudience, type Recipient } from "./audience.ts";
import { isOptedOut } from "./subscriptions.ts";
import {
  broadcastInputSchema,
  directItemSchema,
  karachiDayStart,
  OUTBOX_STATUS,
  type Audience,
  type BroadcastInput,
  contentSchema,
  parseStored,
  type BroadcastState,
  type BroadcastStatus,
  type DirectItem,
} from "./types.ts";

/** Who is sending: an admin (everyone) or a partner (their own audience). */
export type SenderScope = { kind: "admin" } | { kind: "partner"; partnerId: number };

/** Resolves the sender's scope; refuses anyone who is neither admin nor approved partner. */
export async function senderScope(db: Db, senderUserId: number | null): Promise<SenderScope> {
  if (senderUserId === null) return { kind: "admin" };
  const user = await db.user.findUnique({ where: { id: senderUserId }, select: { role: true } });
  if (!user) throw new UserFacingError("broadcasts:errors.notAllowed");
  if (user.role === "admin") return { kind: "admin" };
  const partnerId = await partnerIdOfMember(db, senderUserId);
  if (partnerId !== null) return { kind: "partner", partnerId };
  throw new UserFacingError("broadcasts:errors.notAllowed");
}

/** The audience a sender may reach: a partner's "all" means their own audience. */
function scopedAudience(scope: SenderScope, audience: Audience): { audience: Audience; onlyPartner: number | null } {
  if (scope.kind === "admin") return { audience, onlyPartner: null };
  if (audience.kind === "partner" && audience.partnerId !== scope.partnerId) throw new UserFacingError("broadcasts:errors.otherPartner");
  if (audience.kind === "all") return { audience: { kind: "partner", partnerId: scope.partnerId }, onlyPartner: scope.partnerId };
  return { audience, onlyPartner: scope.partnerId };
}

function validate(input: BroadcastInput): BroadcastInput {
  const parsed = broadcastInputSchema.safeParse(input);
  if (!parsed.success) throw new UserFacingError("broadcasts:errors.invalid", { reason: parsed.error.issues[0]?.message ?? "" });
  return parsed.data as BroadcastInput;
}

async function plan(deps: AppDeps, input: BroadcastInput): Promise<{ scope: SenderScope; recipients: Recipient[] }> {
  const valid = validate(input);
  const scope = await senderScope(deps.db, valid.senderUserId);
  const { audience, onlyPartner } = scopedAudience(scope, valid.audience);
  const recipients = await resolveAudience(deps.db, audience, valid.topic, onlyPartner);
  return { scope, recipients };
}

/**
 * How many recipients a broadcast would reach (same checks as creating it, nothing written),
 * and, when it would go as a Telegram paid broadcast, how many of them are on Telegram and
 * what Telegram charges for them.
 */
export async function previewBroadcast(deps: AppDeps, input: BroadcastInput): Promise<{ recipients: number; paid?: { telegram: number; stars: number } }> {
  const { scope, recipients } = await plan(deps, input);
  if (!paidBroadcast(deps, scope)) return { recipients: recipients.length };
  const telegram = recipients.filter((r) => r.channel === "telegram").length;
  return { recipients: recipients.length, paid: { telegram, stars: paidBroadcastStars(telegram) } };
}

/**
 * Telegram's fee for a paid broadcast: 0.1 Star per message (Bot API, sendMessage,
 * `allow_paid_broadcast`: https://core.telegram.org/bots/api#sendmessage). In tenths, so
 * 3 messages are 0.3 Stars, not 0.30000000000000004.
 */
export const PAID_BROADCAST_STAR_TENTHS_PER_MESSAGE = 1;

/** Stars a paid broadcast to `messages` Telegram chats costs. */
export function paidBroadcastStars(messages: number): number {
  return (messages * PAID_BROADCAST_STAR_TENTHS_PER_MESSAGE) / 10;
}

/** Whether this sender's announcements go as paid broadcasts: admins only, when configured. */
function paidBroadcast(deps: AppDeps, scope: SenderScope): boolean {
  return scope.kind === "admin" && deps.config.telegramPaidBroadcast?.enabled === true;
}

/** Messages a partner has queued today (Pakistan day). */
export async function quotaUsed(db: Db, partnerId: number, now: Date): Promise<number> {
  const sum = await db.broadcast.aggregate({ where: { partnerId, createdAt: { gte: karachiDayStart(now) } }, _sum: { recipients: true } });
  return sum._sum.recipients ?? 0;
}

/**
 * Makes one partner's quota check and insert atomic: the transaction's first statement
 * writes the partner's row (changing nothing). PostgreSQL: that row lock holds until
 * commit, so a second transaction for the same partner waits, then (READ COMMITTED)
 * counts what the first one queued; other partners do not wait. SQLite: a write takes
 * the database write lock before anything is read, so another process waits
 * (busy_timeout) instead of counting from a snapshot that is about to change and then
 * failing on "database is locked". Same idea as the RSVP seat lock (decision 0502).
 */
async function lockPartnerQuota(tx: Db, partnerId: number): Promise<void> {
  await tx.$executeRaw`UPDATE "Partner" SET "updatedAt" = "updatedAt" WHERE "id" = ${partnerId}`;
}

/**
 * Creates a broadcast: checks permission and quota, writes one outbox row per recipient in
 * one transaction. Refusals throw {@link UserFacingError} and write nothing.
 */
export async function createBroadcast(deps: AppDeps, input: BroadcastInput): Promise<{ broadcastId: number; recipients: number }> {
  const valid = validate(input);
  const { scope, recipients } = await plan(deps, valid);
  // In chat an empty audience is refused (the sender is shown why). From the CLI (sender
  // null) it is recorded with 0 recipients: scripts get the JSON the contract promises.
  if (recipients.length === 0 && valid.senderUserId !== null) throw new UserFacingError("broadcasts:errors.emptyAudience");
  const now = deps.now();
  const partnerId = scope.kind === "partner" ? scope.partnerId : null;
  const broadcastId = await deps.db.$transaction(
    async (tx) => {
      if (partnerId !== null) {
        await lockPartnerQuota(tx as Db, partnerId);
        const used = await quotaUsed(tx as Db, partnerId, now);
        const quota = deps.config.partnerDailyQuota;
        if (used + recipients.length > quota) throw new UserFacingError("broadcasts:errors.quota", { quota, used, count: recipients.length });
      }
      const b = await tx.broadcast.create({
        data: {
          senderUserId: valid.senderUserId,
          partnerId,
          topic: valid.topic,
          eventId: valid.eventId ?? null,
          audience: JSON.stringify(valid.audience),
          content: JSON.stringify({ ...valid.content, paid: paidBroadcast(deps, scope) || undefined }),
          recipients: recipients.length,
          createdAt: now,
        },
      });
      for (let i = 0; i < recipients.length; i += 1000) {
        await tx.outboxMessage.createMany({
          data: recipients.slice(i, i + 1000).map((r) => ({
            broadcastId: b.id,
            recipient: r.recipient,
            kind: "broadcast",
            topic: valid.topic,
            userId: r.userId ?? null,
            groupId: r.groupId ?? null,
            channel: r.channel,
            chatId: r.chatId,
            notBefore: now,
            createdAt: now,
          })),
        });
      }
      return b.id;
    },
    { timeout: 120_000, maxWait: 20_000 },
  );
  deps.log.info({ broadcastId, recipients: recipients.length, partnerId }, "broadcast queued");
  return { broadcastId, recipients: recipients.length };
}

/**
 * Queues one message per item to that user on their preferred reachable channel. A
 * `dedupeKey` seen before, a user with no reachable channel, or (unless
 * `respectOptOut: false`) an opted-out user is skipped. Returns how many were queued.
 */
export async function enqueueDirect(deps: AppDeps, items: DirectItem[]): Promise<number> {
  let queued = 0;
  for (const raw of items) {
    const item = directItemSchema.parse(raw);
    const respectOptOut = item.respectOptOut ?? true;
    if (respectOptOut && (await isOptedOut(deps.db, item.userId, "events"))) continue;
    const identities = await deps.db.channelIdentity.findMany({ where: { userId: item.userId }, select: { channel: true, externalId: true, blockedAt: true } });
    const target = pickIdentity(identities);
    if (!target) continue;
    try {
      await deps.db.outboxMessage.create({
        data: {
          recipient: `u:${item.userId}`,
          dedupeKey: item.dedupeKey,
          kind: item.kind,
          topic: "events",
          respectOptOut,
          userId: item.userId,
          channel: target.channel,
          chatId: target.chatId,
          content: JSON.stringify(item.content),
          notBefore: item.notBefore ?? deps.now(),
        },
      });
      queued += 1;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return queued;
}

/** Delivery counts and state of a broadcast; throws UserFacingError when it does not exist. */
export async function broadcastStatus(db: Db, broadcastId: number): Promise<BroadcastStatus> {
  const b = await db.broadcast.findUnique({ where: { id: broadcastId }, select: { status: true } });
  if (!b) throw new UserFacingError("broadcasts:errors.notFound", { id: broadcastId });
  return statusOf(b.status, await countsOf(db, [broadcastId]).then((m) => m.get(broadcastId)));
}

type Counts = Map<string, number>;

/** Outbox rows per status of each broadcast, in one query. */
async function countsOf(db: Db, ids: number[]): Promise<Map<number, Counts>> {
  const groups = ids.length ? await db.outboxMessage.groupBy({ by: ["broadcastId", "status"], where: { broadcastId: { in: ids } }, _count: { _all: true } }) : [];
  const out = new Map<number, Counts>();
  for (const g of groups) {
    const m = out.get(g.broadcastId!) ?? new Map<string, number>();
    m.set(g.status, g._count._all);
    out.set(g.broadcastId!, m);
  }
  // WhatsApp Cloud API receipts (read implies delivered: a read row has both set).
  for (const [column, key] of [["deliveredAt", RECEIPT.delivered], ["readAt", RECEIPT.read]] as const) {
    const receipts = ids.length ? await db.outboxMessage.groupBy({ by: ["broadcastId"], where: { broadcastId: { in: ids }, [column]: { not: null } }, _count: { _all: true } }) : [];
    for (const g of receipts) {
      const m = out.get(g.broadcastId!) ?? new Map<string, number>();
      m.set(key, g._count._all);
      out.set(g.broadcastId!, m);
    }
  }
  return out;
}

/** Keys of the receipt counts in {@link Counts} (not outbox statuses). */
const RECEIPT = { delivered: "@delivered", read: "@read" } as const;

/**
 * The counts and the state people see: cancelled and paused as stored; an active one is
 * "queued" before its first outcome, "sending" while rows wait, "done" when none does.
 */
function statusOf(stored: string, counts: Counts = new Map()): BroadcastStatus {
  const count = (status: string) => counts.get(status) ?? 0;
  const queued = count(OUTBOX_STATUS.pending) + count(OUTBOX_STATUS.sending);
  const sent = count(OUTBOX_STATUS.sent);
  const failed = count(OUTBOX_STATUS.failed);
  const blocked = count(OUTBOX_STATUS.blocked);
  const optedOut = count(OUTBOX_STATUS.optedOut);
  const cancelled = count(OUTBOX_STATUS.cancelled);
  const skipped = count(OUTBOX_STATUS.skipped);
  const limited = count(OUTBOX_STATUS.limited);
  const state: BroadcastState =
    stored === "cancelled" ? "cancelled" : stored === "paused" ? "paused" : queued === 0 ? "done" : sent + failed + blocked + optedOut + skipped + limited === 0 ? "queued" : "sending";
  return { queued, sent, failed, blocked, optedOut, cancelled, state, delivered: count(RECEIPT.delivered), read: count(RECEIPT.read), skipped, limited };
}

/** One line of a broadcasts list. */
export interface BroadcastSummary {
  id: number;
  createdAt: Date;
  partnerId: number | null;
  eventId: number | null;
  recipients: number;
  /** The first words of the English text. */
  preview: string;
  status: BroadcastStatus;
}

/**
 * The newest broadcasts, newest first: all of them (admins, the CLI) or one partner's
 * (`partnerId`), optionally also those a user sent (`senderUserId`).
 */
export async function listBroadcasts(db: Db, filter: { partnerId?: number | null; senderUserId?: number; limit?: number } = {}): Promise<BroadcastSummary[]> {
  const or = [
    ...(filter.partnerId != null ? [{ partnerId: filter.partnerId }] : []),
    ...(filter.senderUserId !== undefined ? [{ senderUserId: filter.senderUserId }] : []),
  ];
  const scoped = filter.partnerId !== undefined || filter.senderUserId !== undefined;
  if (scoped && or.length === 0) return [];
  const rows = await db.broadcast.findMany({
    where: scoped ? { OR: or } : {},
    orderBy: { id: "desc" },
    take: filter.limit ?? 10,
    select: { id: true, createdAt: true, partnerId: true, eventId: true, recipients: true, content: true, status: true },
  });
  const counts = await countsOf(db, rows.map((r) => r.id));
  return rows.map((r) => {
    const text = parseStored(contentSchema, r.content)?.text.en ?? "";
    const flat = text.replace(/\s+/g, " ").trim();
    return {
      id: r.id,
      createdAt: r.createdAt,
      partnerId: r.partnerId,
      eventId: r.eventId,
      recipients: r.recipients,
      preview: flat.length > 60 ? `${flat.slice(0, 59)}…` : flat,
      status: statusOf(r.status, counts.get(r.id)),
    };
  });
}

/** Admin controls. */
export type BroadcastAction = "pause" | "resume" | "cancel";

/**
 * Pauses (the worker stops claiming its rows and holds back claimed ones before sending),
 * resumes, or cancels (every row not yet sent becomes "cancelled"; a send already on the
 * wire still finishes and counts as sent). A broadcast with nothing left to send is
 * refused as finished. Returns the new status.
 */
export async function controlBroadcast(db: Db, broadcastId: number, action: BroadcastAction): Promise<string> {
  const b = await db.broadcast.findUnique({ where: { id: broadcastId }, select: { status: true } });
  if (!b) throw new UserFacingError("broadcasts:errors.notFound", { id: broadcastId });
  if (b.status === "cancelled") throw new UserFacingError("broadcasts:errors.alreadyCancelled", { id: broadcastId });
  const left = await db.outboxMessage.count({ where: { broadcastId, status: { in: [OUTBOX_STATUS.pending, OUTBOX_STATUS.sending] } } });
  if (left === 0) throw new UserFacingError("broadcasts:errors.finished", { id: broadcastId });
  const status = action === "pause" ? "paused" : action === "resume" ? "active" : "cancelled";
  await db.$transaction(async (tx) => {
    await tx.broadcast.update({ where: { id: broadcastId }, data: { status } });
    // "sending" rows too: one whose send has not started is held back by the worker (it
    // reads the state before each send), and one on the wire is marked sent when it lands.
    if (action === "cancel") await tx.outboxMessage.updateMany({ where: { broadcastId, status: { in: [OUTBOX_STATUS.pending, OUTBOX_STATUS.sending] } }, data: { status: OUTBOX_STATUS.cancelled } });
  });
  return status;
}
