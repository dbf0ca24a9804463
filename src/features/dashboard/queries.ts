/**
 * What the dashboard reads beyond the progress, broadcasts and events features' own
 * queries (those are called as they are): new sellers per week, days to each stage,
 * delivery over time, and lists scoped to a partner. Every list takes the {@link Scope}, so
 * a partner's page can only ever read that partner's rows. Dates are bucketed in SQL, with
 * one expression per provider (SQLite keeps ISO text, PostgreSQL timestamps).
 */
import { Prisma } from "../../generated/sqlite/client.ts";
import type { Db } from "../../db/client.ts";
import { OUTBOX_STATUS, type BroadcastStatus } from "../broadcasts/types.ts";
import { rsvpCounts, type RsvpCounts } from "../events/api.ts";
import { scopeFrom, stuckCondition, type Scope, type StageCount } from "../progress/queries.ts";

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

/** Days from joining to one stage: the median and how many sellers it is taken over. */
export interface StageDays {
  stageId: string;
  median: number | null;
  sellers: number;
}

/** The overview's numbers for one scope. */
export interface OverviewNumbers {
  /** Sellers at their furthest stage (-1: not started), as the progress feature's stageCounts. */
  counts: StageCount[];
  /** As the progress feature's stuckCount. */
  stuck: number;
  /** New sellers in each of the last weeks (Monday to Sunday, Pakistan time), oldest first. */
  weeks: Array<{ start: Date; count: number }>;
  /** Median days from joining to each stage; read from 1 seller in `sampleEvery`. */
  days: { stages: StageDays[]; sampleEvery: number };
}

/** Above this many started sellers the medians are taken over a systematic sample. */
export const MEDIAN_SAMPLE = 10_000;

/**
 * Everything the overview shows, in one pass over the scope's sellers (the progress
 * feature's FROM clause and stuck condition): rows grouped by (furthest stage, join week)
 * with their stuck count, and, per group, one text value carrying each started seller's
 * join time and SellerProgress.stages JSON (a line each), parsed here for the medians.
 * Four separate queries read the same rows four times; parsing the JSON in SQL cost 2-3x
 * more on PostgreSQL; one text value per group spares the driver's per-row work.
 *
 * New sellers: for a partner, those who picked them that week (SellerAssignment); for an
 * admin, those who first wrote to the bot that week. Medians: over more than
 * {@link MEDIAN_SAMPLE} started sellers (admins), only every k-th seller id's JSON is read,
 * an estimate within about a day (decision 0802).
 */
export async function overviewNumbers(
  db: Db,
  provider: Provider,
  scope: Scope,
  options: { now: Date; stuckCutoff: Date; stageTotal: number; weeks?: number; sampleEvery?: number },
): Promise<OverviewNumbers> {
  const weeks = options.weeks ?? 12;
  const start = weekStart(options.now, weeks - 1);
  const sampleEvery = options.sampleEvery ?? (scope.kind === "admin" ? Math.max(1, Math.ceil((await startedEstimate(db)) / MEDIAN_SAMPLE)) : 1);
  const joinedScope = scope.kind === "partner" ? Prisma.sql`sa."assignedAt"` : Prisma.sql`u."createdAt"`;
  const week = Prisma.sql`CASE WHEN ${joinedScope} >= ${start} THEN ${bucket(provider, joinedScope, start.getTime() / 1000, WEEK_S)} ELSE -1 END`;
  const sample = sampleEvery > 1 ? Prisma.sql`AND sp."sellerId" % ${Prisma.raw(String(sampleEvery))} = 0` : Prisma.empty;
  const lines =
    provider === "sqlite"
      ? Prisma.sql`group_concat(strftime('%s', u."createdAt") || ' ' || sp."stages", char(10))`
      : Prisma.sql`string_agg(CAST(FLOOR(EXTRACT(EPOCH FROM u."createdAt")) AS bigint) || ' ' || sp."stages", chr(10))`;
  const rows = await db.$queryRaw<Array<{ idx: unknown; w: unknown; n: unknown; stuck: unknown; lines: string | null }>>(
    Prisma.sql`SELECT COALESCE(sp."currentIndex", -1) AS idx, ${week} AS w, COUNT(*) AS n,
        SUM(CASE WHEN ${stuckCondition(options.stuckCutoff, options.stageTotal)} THEN 1 ELSE 0 END) AS stuck,
        ${lines} FILTER (WHERE sp."currentIndex" >= 0 ${sample}) AS lines
      ${scopeFrom(scope)} GROUP BY 1, 2`,
  );
  const counts = new Map<number, number>();
  const perWeek = new Map<number, number>();
  const days = new Map<string, number[]>();
  let stuck = 0;
  for (const r of rows) {
    counts.set(num(r.idx), (counts.get(num(r.idx)) ?? 0) + num(r.n));
    perWeek.set(num(r.w), (perWeek.get(num(r.w)) ?? 0) + num(r.n));
    stuck += num(r.stuck);
    if (r.lines) addDays(days, r.lines);
  }
  return {
    counts: [...counts].map(([index, count]) => ({ index, count })).sort((a, b) => a.index - b.index),
    stuck,
    weeks: Array.from({ length: weeks }, (_, i) => ({ start: new Date(start.getTime() + i * WEEK_S * 1000), count: perWeek.get(i) ?? 0 })),
    days: { stages: [...days].map(([stageId, list]) => ({ stageId, median: median(list), sellers: list.length })), sampleEvery },
  };
}

/** Started sellers, from the small currentIndex index (staff rows included: only the sample size depends on it). */
async function startedEstimate(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: unknown }>>(Prisma.sql`SELECT COUNT(*) AS n FROM "SellerProgress" WHERE "currentIndex" >= 0`);
  return num(row?.n);
}

/** Adds each line's days from joining to each stage reached ("<join epoch s> <stages JSON>"). */
function addDays(days: Map<string, number[]>, text: string): void {
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    const joined = Number(line.slice(0, space)) * 1000;
    const reached = space > 0 && Number.isFinite(joined) ? parseReached(line.slice(space + 1)) : null;
    if (!reached) continue; // a corrupt row counts for nothing
    for (const [stageId, at] of reached) {
      let list = days.get(stageId);
      if (!list) days.set(stageId, (list = []));
      list.push(Math.max(0, (at - joined) / 86_400_000));
    }
  }
}

/** Stage id → time reached, from a SellerProgress.stages value; null when it is not such an object. */
function parseReached(json: string): Array<[string, number]> | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const out: Array<[string, number]> = [];
  for (const [stageId, at] of Object.entries(value)) {
    const time = typeof at === "string" ? Date.parse(at) : NaN;
    if (Number.isFinite(time)) out.push([stageId, time]);
  }
  return out;
}

/** The median of a list (the mean of the two middle values for an even count); null when empty. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
  delivery: BroadcastStatus & { cancelled: number };
  rsvp: RsvpCounts | null;
}

/** Delivery counts from (status, count) pairs of outbox rows. */
export function deliveryCounts(groups: Array<{ status: string; count: number }>): BroadcastStatus & { cancelled: number } {
  const count = (status: string) => groups.filter((g) => g.status === status).reduce((s, g) => s + g.count, 0);
  return {
    queued: count(OUTBOX_STATUS.pending) + count(OUTBOX_STATUS.sending),
    sent: count(OUTBOX_STATUS.sent),
    failed: count(OUTBOX_STATUS.failed),
    blocked: count(OUTBOX_STATUS.blocked),
    optedOut: count(OUTBOX_STATUS.optedOut),
    cancelled: count(OUTBOX_STATUS.cancelled),
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
  const out: BroadcastSummary[] = [];
  for (const r of rows) {
    const mine = groups.filter((g) => g.broadcastId === r.id).map((g) => ({ status: g.status, count: g._count._all }));
    out.push({ ...r, delivery: deliveryCounts(mine), rsvp: r.eventId !== null ? await rsvpCounts(db, r.eventId) : null });
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
