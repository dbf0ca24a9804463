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

/** How many recipients a broadcast would reach (same checks as creating it, nothing written). */
export async function previewBroadcast(deps: AppDeps, input: BroadcastInput): Promise<{ recipients: number }> {
  const { recipients } = await plan(deps, input);
  return { recipients: recipients.length };
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
          content: JSON.stringify(valid.content),
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

/** Delivery counts of a broadcast; throws UserFacingError when it does not exist. */
export async function broadcastStatus(db: Db, broadcastId: number): Promise<BroadcastStatus> {
  const exists = await db.broadcast.findUnique({ where: { id: broadcastId }, select: { id: true } });
  if (!exists) throw new UserFacingError("broadcasts:errors.notFound", { id: broadcastId });
  const groups = await db.outboxMessage.groupBy({ by: ["status"], where: { broadcastId }, _count: { _all: true } });
  const count = (status: string) => groups.find((g) => g.status === status)?._count._all ?? 0;
  return {
    queued: count(OUTBOX_STATUS.pending) + count(OUTBOX_STATUS.sending),
    sent: count(OUTBOX_STATUS.sent),
    failed: count(OUTBOX_STATUS.failed),
    blocked: count(OUTBOX_STATUS.blocked),
    optedOut: count(OUTBOX_STATUS.optedOut),
  };
}

/** Admin controls. */
export type BroadcastAction = "pause" | "resume" | "cancel";

/**
 * Pauses (the worker stops claiming its rows), resumes, or cancels (pending rows become
 * "cancelled"; rows already being sent finish). Returns the new status.
 */
export async function controlBroadcast(db: Db, broadcastId: number, action: BroadcastAction): Promise<string> {
  const b = await db.broadcast.findUnique({ where: { id: broadcastId }, select: { status: true } });
  if (!b) throw new UserFacingError("broadcasts:errors.notFound", { id: broadcastId });
  if (b.status === "cancelled") throw new UserFacingError("broadcasts:errors.alreadyCancelled", { id: broadcastId });
  const status = action === "pause" ? "paused" : action === "resume" ? "active" : "cancelled";
  await db.$transaction(async (tx) => {
    await tx.broadcast.update({ where: { id: broadcastId }, data: { status } });
    if (action === "cancel") await tx.outboxMessage.updateMany({ where: { broadcastId, status: OUTBOX_STATUS.pending }, data: { status: OUTBOX_STATUS.cancelled } });
  });
  return status;
}
