/**
 * What the dashboard reads beyond the progress, broadcasts and events features' own
 * queries (those are called as they are): new sellers per week, delivery over time, and
 * lists scoped to a partner (days to each stage: stage-days.ts). Every list takes the {@link Scope}, so
 * a partner's page can only ever read that partner's rows. Dates are bucketed in SQL, with
 * one expression per provider (SQLite keeps ISO text, PostgreSQL timestamps).
 */
import { Prisma } from "../../generated/sqlite/client.ts";
import type { Db } from "../../db/client.ts";
import { OUTBOX_STATUS, type BroadcastStatus } from "../broadcasts/types.ts";
import { rsvpCounts, type RsvpCounts } from "../events/api.ts";
import type { Scope } from "../progress/queries.ts";

/** Which SQL dialect to write date arithmetic in. */
export type Provider = "sqlite" | "postgresql";

const num = (v: unknown) => Number(v ?? 0);
const WEEK_S = 7 * 86_400;
const PKT_OFFSET_MS = 5 * 3600_000;

/** Seconds since 1970 of a date column, in the provider's SQL. */
function epoch(provider: Provider, column: Prisma.Sql): Prisma.Sql {
  return provider === "sqlite" ? Prisma.sql`CAST(strftime('%s', ${column}) AS INTEGER)` : Prisma.sql`EXTRACT(EPOCH FROM ${column})`;
}

/** `floor((epoch(column) - start) / size)` as an integer: the bucket a date falls in. */
function bucket(provider: Provider, column: Prisma.Sql, startS: number, sizeS: number): Prisma.Sql {
  // Both numbers are integers we computed: inlined, so PostgreSQL needs no parameter types.
  const start = Prisma.raw(String(Math.floor(startS)));
  const size = Prisma.raw(String(Math.floor(sizeS)));
  return provider === "sqlite"
    ? Prisma.sql`((${epoch(provider, column)} - ${start}) / ${size})`
    : Prisma.sql`CAST(FLOOR((${epoch(provider, column)} - ${start}) / ${size}) AS INTEGER)`;
}

/** Monday 00:00 Pakistan time of the week `weeksBack` weeks before the one `now` is in. */
export function weekStart(now: Date, weeksBack: number): Date {
  const local = now.getTime() + PKT_OFFSET_MS;
  const day = Math.floor(local / 86_400_000);
  const monday = day - ((new Date(day * 86_400_000).getUTCDay() + 6) % 7);
  return new Date((monday - weeksBack * 7) * 86_400_000 - PKT_OFFSET_MS);
}

/**
 * New sellers in each of the last `weeks` weeks (Monday to Sunday, Pakistan time), oldest
 * first. For a partner: sellers who picked them that week; for an admin: sellers who first
 * wrote to the bot that week.
 */
export async function newSellersPerWeek(db: Db, provider: Provider, scope: Scope, now: Date, weeks = 12): Promise<Array<{ start: Date; count: number }>> {
  const start = weekStart(now, weeks - 1);
  const startS = start.getTime() / 1000;
  const rows =
    scope.kind === "partner"
      ? await db.$queryRaw<Array<{ w: unknown; n: unknown }>>(
          Prisma.sql`SELECT ${bucket(provider, Prisma.sql`sa."assignedAt"`, startS, WEEK_S)} AS w, COUNT(*) AS n
            FROM "SellerAssignment" sa WHERE sa."partnerId" = ${scope.partnerId} AND sa."assignedAt" >= ${start} GROUP BY 1`,
        )
      : await db.$queryRaw<Array<{ w: unknown; n: unknown }>>(
          Prisma.sql`SELECT ${bucket(provider, Prisma.sql`u."createdAt"`, startS, WEEK_S)} AS w, COUNT(*) AS n
            FROM "User" u WHERE u."role" = 'seller' AND u."createdAt" >= ${start} GROUP BY 1`,
        );
  const counts = new Map(rows.map((r) => [num(r.w), num(r.n)]));
  return Array.from({ length: weeks }, (_, i) => ({ start: new Date(start.getTime() + i * WEEK_S * 1000), count: counts.get(i) ?? 0 }));
}

/** One broadcast as listed: its state, delivery counts and (for an event) RSVPs. */
export interface BroadcastSummary {
  id: number;
  createdAt: Date;
  status: string;
  recipients: number;
  partnerId: number | null;
  eventId: number | null;
  content: string;
  delivery: Omit<BroadcastStatus, "state">;
  rsvp: RsvpCounts | null;
}

/** Delivery counts from (status, count) pairs of outbox rows. */
export function deliveryCounts(groups: Array<{ status: string; count: number }>, receipts: { delivered: number; read: number } = { delivered: 0, read: 0 }): Omit<BroadcastStatus, "state"> {
  const count = (status: string) => groups.filter((g) => g.status === status).reduce((s, g) => s + g.count, 0);
  return {
    queued: count(OUTBOX_STATUS.pending) + count(OUTBOX_STATUS.sending),
    sent: count(OUTBOX_STATUS.sent),
    failed: count(OUTBOX_STATUS.failed),
    blocked: count(OUTBOX_STATUS.blocked),
    optedOut: count(OUTBOX_STATUS.optedOut),
    cancelled: count(OUTBOX_STATUS.cancelled),
    skipped: count(OUTBOX_STATUS.skipped),
    limited: count(OUTBOX_STATUS.limited),
    ...receipts,
  };
}

/** Where to read broadcasts from: a partner's own, or all. */
const broadcastWhere = (scope: Scope) => (scope.kind === "partner" ? { partnerId: scope.partnerId } : {});

/** The scope's broadcasts, newest first; ids given: only those (a detail page). */
export async function listBroadcasts(db: Db, scope: Scope, options: { limit?: number; id?: number } = {}): Promise<BroadcastSummary[]> {
  const rows = await db.broadcast.findMany({
    where: { ...broadcastWhere(scope), ...(options.id !== undefined ? { id: options.id } : {}) },
    orderBy: { id: "desc" },
    take: options.limit ?? 30,
    select: { id: true, createdAt: true, status: true, recipients: true, partnerId: true, eventId: true, content: true },
  });
  if (rows.length === 0) return [];
  const groups = await db.outboxMessage.groupBy({ by: ["broadcastId", "status"], where: { broadcastId: { in: rows.map((r) => r.id) } }, _count: { _all: true } });
  // WhatsApp Cloud API receipts, per broadcast.
  const ids = rows.map((r) => r.id);
  const delivered = await db.outboxMessage.groupBy({ by: ["broadcastId"], where: { broadcastId: { in: ids }, deliveredAt: { not: null } }, _count: { _all: true } });
  const read = await db.outboxMessage.groupBy({ by: ["broadcastId"], where: { broadcastId: { in: ids }, readAt: { not: null } }, _count: { _all: true } });
  const out: BroadcastSummary[] = [];
  for (const r of rows) {
    const mine = groups.filter((g) => g.broadcastId === r.id).map((g) => ({ status: g.status, count: g._count._all }));
    const receipts = { delivered: delivered.find((g) => g.broadcastId === r.id)?._count._all ?? 0, read: read.find((g) => g.broadcastId === r.id)?._count._all ?? 0 };
    out.push({ ...r, delivery: deliveryCounts(mine, receipts), rsvp: r.eventId !== null ? await rsvpCounts(db, r.eventId) : null });
  }
  return out;
}

/** Messages of one broadcast that reached an end, per time bucket. */
export interface DeliveryBucket {
  start: Date;
  sent: number;
  notDelivered: number;
}

/** Bucket sizes offered, in seconds: the smallest giving at most 24 buckets is used. */
const BUCKETS_S = [60, 300, 900, 3600, 6 * 3600, 86_400, 7 * 86_400];

/**
 * A broadcast's delivery over time: sent messages by the time they were sent, failed /
 * blocked / opted-out ones by the time they ended, in at most ~24 buckets.
 */
export async function deliveryOverTime(db: Db, provider: Provider, broadcastId: number): Promise<{ sizeS: number; buckets: DeliveryBucket[] }> {
  const ended = [OUTBOX_STATUS.sent, OUTBOX_STATUS.failed, OUTBOX_STATUS.blocked, OUTBOX_STATUS.optedOut];
  const at = Prisma.sql`COALESCE(o."sentAt", o."updatedAt")`;
  const [span] = await db.$queryRaw<Array<{ first: unknown; last: unknown }>>(
    Prisma.sql`SELECT MIN(${epoch(provider, at)}) AS first, MAX(${epoch(provider, at)}) AS last FROM "OutboxMessage" o
      WHERE o."broadcastId" = ${broadcastId} AND o."status" IN (${Prisma.join(ended)})`,
  );
  if (span?.first == null) return { sizeS: BUCKETS_S[0]!, buckets: [] };
  const first = num(span.first);
  const sizeS = BUCKETS_S.find((s) => (num(span.last) - first) / s < 24) ?? BUCKETS_S.at(-1)!;
  const startS = Math.floor(first / sizeS) * sizeS;
  const rows = await db.$queryRaw<Array<{ b: unknown; status: string; n: unknown }>>(
    Prisma.sql`SELECT ${bucket(provider, at, startS, sizeS)} AS b, o."status" AS status, COUNT(*) AS n FROM "OutboxMessage" o
      WHERE o."broadcastId" = ${broadcastId} AND o."status" IN (${Prisma.join(ended)}) GROUP BY 1, 2`,
  );
  const last = Math.max(0, ...rows.map((r) => num(r.b)));
  const buckets = Array.from({ length: last + 1 }, (_, i) => ({ start: new Date((startS + i * sizeS) * 1000), sent: 0, notDelivered: 0 }));
  for (const r of rows) {
    const b = buckets[num(r.b)];
    if (!b) continue;
    if (r.status === OUTBOX_STATUS.sent) b.sent += num(r.n);
    else b.notDelivered += num(r.n);
  }
  return { sizeS, buckets };
}

/** The scope's events, latest start first, with RSVP counts (the events feature's). */
export async function listEvents(db: Db, scope: Scope, limit = 50) {
  const events = await db.event.findMany({ where: scope.kind === "partner" ? { partnerId: scope.partnerId } : {}, orderBy: { startsAt: "desc" }, take: limit });
  const out = [];
  for (const event of events) out.push({ event, rsvp: await rsvpCounts(db, event.id) });
  return out;
}

/** An event the scope may see, or null (missing and not theirs look the same). */
export async function eventInScope(db: Db, scope: Scope, eventId: number) {
  if (!Number.isSafeInteger(eventId) || eventId <= 0) return null;
  const event = await db.event.findUnique({ where: { id: eventId } });
  if (!event || (scope.kind === "partner" && event.partnerId !== scope.partnerId)) return null;
  return event;
}

/** What the stuck list shows besides the progress feature's fields. */
export interface SellerContact {
  language: string;
  city: string | null;
  channel: string | null;
  /** A link that opens a chat with the seller (wa.me for WhatsApp numbers, tg:// for Telegram). */
  chatLink: string | null;
}

/** Language, city and a chat link for each seller id. */
export async function sellerContacts(db: Db, ids: number[]): Promise<Map<number, SellerContact>> {
  if (ids.length === 0) return new Map();
  const users = await db.user.findMany({
    where: { id: { in: ids } },
    select: { id: true, language: true, sellerProfile: { select: { city: true } }, identities: { select: { channel: true, externalId: true }, orderBy: { id: "asc" } } },
  });
  return new Map(users.map((u) => [u.id, { language: u.language, city: u.sellerProfile?.city ?? null, ...chatLink(u.identities) }]));
}

/** The seller's WhatsApp number (a phone JID) first, else their Telegram id. */
export function chatLink(identities: Array<{ channel: string; externalId: string }>): { channel: string | null; chatLink: string | null } {
  const wa = identities.find((i) => i.channel === "whatsapp" && /^\d{6,15}@s\.whatsapp\.net$/.test(i.externalId));
  if (wa) return { channel: "whatsapp", chatLink: `https://wa.me/${wa.externalId.split("@")[0]}` };
  const tg = identities.find((i) => i.channel === "telegram" && /^\d{1,20}$/.test(i.externalId));
  if (tg) return { channel: "telegram", chatLink: `tg://user?id=${tg.externalId}` };
  return { channel: identities[0]?.channel ?? null, chatLink: null };
}

/** Pending partner requests, oldest first (admins decide them on the dashboard). */
export async function pendingRequests(db: Db, limit = 100) {
  return db.partnerRequest.findMany({
    where: { status: "pending" },
    orderBy: [{ requestedAt: "asc" }, { id: "asc" }],
    take: limit,
    include: { partner: { select: { name: true, city: true } }, user: { select: { id: true, displayName: true, identities: { select: { channel: true, externalId: true } } } } },
  });
}
