/**
 * The outbox worker: claims due rows, sends each through the messenger paced per channel,
 * and records the outcome right after the send, so a restart never sends a row twice
 * (except one whose send was in flight when the process died) and never forgets one.
 *
 * Claiming: on PostgreSQL one UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) so
 * several processes share the rows without taking the same one; on SQLite a select, then
 * one UPDATE that re-checks each row is still due, so two processes on one file share it
 * too. A claim is a lease: a row still "sending" after `leaseMs` belonged to a worker that
 * died and is claimed again.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { AppDeps, Job } from "../../core/context.ts";
import { isChannelError, type ChannelError } from "../../core/errors.ts";
import { SendHeldError } from "../../core/messenger.ts";
import { isTransientDatabaseError } from "../../db/errors.ts";
import type { ChannelId, Lang } from "../../core/types.ts";
import { CHANNEL_IDS, LANGS } from "../../core/types.ts";
import { createPacer, paceSettings, systemClock, telegramRules, type Clock, type Pacer } from "./pacer.ts";
import { renderContent } from "./render.ts";
import { migrateGroup } from "./groups.ts";
import { optedOutAmong } from "./subscriptions.ts";
import { contentSchema, karachiDayStart, OUTBOX_STATUS, parseStored, type BroadcastContent } from "./types.ts";

/** Worker settings; the defaults suit production. */
export interface WorkerOptions {
  /** Identifies this worker in `claimedBy` (default host:pid:random). */
  id?: string;
  /** How often to look for new rows when idle (default 1000 ms). */
  pollMs?: number;
  /** A claim older than this is considered abandoned (default 60 s). */
  leaseMs?: number;
  /** Telegram rows in flight at once (default 32): needed to reach the rate with slow answers. */
  concurrency?: number;
  /** Network/5xx attempts before a row fails (default 6). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  clock?: Clock;
  random?: () => number;
  /** Pacer to use (default one built from config). */
  pacer?: Pacer;
}

/** The worker job plus hooks for tests and benchmarks. */
export interface OutboxWorker extends Job {
  readonly id: string;
  /** Claims and sends what is due now; resolves when those sends are done. Returns rows handled. */
  drain(): Promise<number>;
  /** Sends in flight right now. */
  inFlight(): number;
}

type Row = {
  id: number;
  broadcastId: number | null;
  kind: string;
  topic: string;
  respectOptOut: boolean;
  userId: number | null;
  groupId: number | null;
  channel: string;
  chatId: string;
  content: string | null;
  attempts: number;
  claimedAt: Date | null;
};

const CAPACITY: Partial<Record<ChannelId, number>> = { whatsapp: 1, console: 4 };
/** A channel that cannot send at all (a refused token) is not tried again for this long. */
const UNAVAILABLE_PAUSE_MS = 5 * 60_000;

/** A row whose chat is not free for longer than this goes back to the queue until it is (see deliver). */
const MAX_CHAT_WAIT_MS = 5000;

/** The pacer's name for Telegram paid broadcasts (their own overall rate). */
const PAID_LANE = "telegram-paid";

/** Creates the outbox worker for this process. */
export function createOutboxWorker(deps: AppDeps, options: WorkerOptions = {}): OutboxWorker {
  const { config, db, log } = deps;
  const id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? config.outbox?.leaseMs ?? 60_000;
  const concurrency = options.concurrency ?? config.outbox?.concurrency ?? 32;
  const maxAttempts = options.maxAttempts ?? 6;
  const backoffBaseMs = options.backoffBaseMs ?? 2000;
  const backoffMaxMs = options.backoffMaxMs ?? 10 * 60_000;
  // The process's pacer (app.ts), which replies take permits from too; PostgreSQL: its limits
  // hold for every process on the database; SQLite: this one's. A worker given a clock of its
  // own (simulated time) keeps its limits in memory: the shared store counts on the
  // database's clock, which a simulated clock cannot move.
  const pacer =
    options.pacer ??
    (options.clock ? undefined : deps.pacer) ??
    createPacer(paceSettings(config), clock, random, options.clock ? undefined : deps.database.limits);
  // Admins' announcements as Telegram paid broadcasts: their own overall pace, the same
  // per-chat and per-group limits (a custom pacer from a test keeps its own rules).
  const paidEnabled = config.telegramPaidBroadcast?.enabled === true;
  if (paidEnabled) pacer.define(PAID_LANE, telegramRules({ telegramRatePerSecond: config.telegramPaidBroadcast.ratePerSecond, perChatGapMs: 1000, groupPerMinute: 20 }, PAID_LANE));
  const inFlight = new Map<number, { channel: ChannelId; done: Promise<void> }>();
  const contentCache = new Map<number, BroadcastContent | null>();
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  const nowDate = () => new Date(clock.now());

  function capacity(channel: ChannelId): number {
    const max = CAPACITY[channel] ?? concurrency;
    let busy = 0;
    for (const f of inFlight.values()) if (f.channel === channel) busy += 1;
    return max - busy;
  }

  async function whatsappCapReached(): Promise<boolean> {
    const sent = await db.outboxMessage.count({ where: { channel: "whatsapp", status: OUTBOX_STATUS.sent, sentAt: { gte: karachiDayStart(nowDate()) } } });
    return sent >= config.whatsapp.dailyCap;
  }

  /** Channels this process can send on now, with how many rows each may take. */
  async function wanted(): Promise<Array<[ChannelId, number]>> {
    const out: Array<[ChannelId, number]> = [];
    for (const channel of CHANNEL_IDS) {
      if (!deps.messenger.capabilities(channel)) continue;
      if (pacer.pausedUntil(channel) > clock.now() + pollMs) continue;
      const max = CAPACITY[channel] ?? concurrency;
      const n = capacity(channel);
      // Claim in batches (half the slots at least, unless idle): a claim costs a few queries,
      // and one claim per finished send would make the database the bottleneck.
      if (n <= 0 || (n < Math.ceil(max / 2) && n < max)) continue;
      if (channel === "whatsapp" && (await whatsappCapReached())) continue;
      out.push([channel, n]);
    }
    return out;
  }

  async function claim(channel: ChannelId, limit: number): Promise<Row[]> {
    const now = nowDate();
    const stale = new Date(now.getTime() - leaseMs);
    // This worker's own expired claims count too, unless it is still working on them: a
    // database stall can leave a claimed row whose send never started or whose outcome was
    // never written, and nobody else would ever take it.
    const busy = [...inFlight.keys()];
    if (deps.database.provider === "postgresql") {
      const ids = await db.$queryRaw<Array<{ id: number }>>`
        UPDATE "OutboxMessage" SET "status" = 'sending', "claimedAt" = ${now}, "claimedBy" = ${id}, "updatedAt" = ${now}
        WHERE "id" IN (
          SELECT o."id" FROM "OutboxMessage" o LEFT JOIN "Broadcast" b ON b."id" = o."broadcastId"
          WHERE o."channel" = ${channel}
            AND ((o."status" = 'pending' AND o."notBefore" <= ${now})
              OR (o."status" = 'sending' AND o."claimedAt" < ${stale} AND (o."claimedBy" <> ${id} OR NOT (o."id" = ANY(${busy}::int[])))))
            AND (o."broadcastId" IS NULL OR b."status" = 'active')
          ORDER BY o."notBefore", o."id"
          LIMIT ${limit}
          FOR UPDATE OF o SKIP LOCKED)
        RETURNING "id"`;
      if (ids.length === 0) return [];
      return db.outboxMessage.findMany({ where: { id: { in: ids.map((r) => Number(r.id)) } }, orderBy: { id: "asc" } });
    }
    // SQLite: pick candidates, then claim them with one UPDATE that checks again that each
    // is still due, and keep what this worker got. Another process's worker may have
    // claimed some in between; the re-check inside the single statement (atomic in SQLite)
    // leaves those alone. (A read-then-update transaction did not re-check, and a second
    // process's transaction could not upgrade its stale read to a write: it stalled until
    // Prisma's transaction timeout.)
    const due = {
      channel,
      OR: [
        { status: OUTBOX_STATUS.pending, notBefore: { lte: now } },
        // An expired claim: another worker's, or one of ours it is no longer working on.
        { status: OUTBOX_STATUS.sending, claimedAt: { lt: stale }, OR: [{ claimedBy: { not: id } }, { id: { notIn: busy } }] },
      ],
      AND: [{ OR: [{ broadcastId: null }, { broadcast: { status: "active" } }] }],
    };
    const candidates = await db.outboxMessage.findMany({ where: due, orderBy: [{ notBefore: "asc" }, { id: "asc" }], take: limit, select: { id: true } });
    if (candidates.length === 0) return [];
    const ids = candidates.map((r) => r.id);
    // Plain column conditions only, so this stays one UPDATE … WHERE statement.
    const stillDue = { id: { in: ids }, OR: [{ status: OUTBOX_STATUS.pending, notBefore: { lte: now } }, { status: OUTBOX_STATUS.sending, claimedAt: { lt: stale } }] };
    const { count } = await db.outboxMessage.updateMany({ where: stillDue, data: { status: OUTBOX_STATUS.sending, claimedAt: now, claimedBy: id } });
    if (count === 0) return [];
    return db.outboxMessage.findMany({ where: { id: { in: ids }, status: OUTBOX_STATUS.sending, claimedBy: id, claimedAt: now }, orderBy: [{ notBefore: "asc" }, { id: "asc" }] });
  }

  /** What sending a batch needs, loaded once per batch: languages, opt-outs, blocks, content. */
  async function prepare(rows: Row[]) {
    const userIds = [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))];
    const groupIds = [...new Set(rows.flatMap((r) => (r.groupId ? [r.groupId] : [])))];
    const [users, optedOut, blocked, groups] = await Promise.all([
      userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, language: true } }) : [],
      optedOutAmong(db, userIds, "events"),
      userIds.length
        ? db.channelIdentity.findMany({ where: { userId: { in: userIds }, blockedAt: { not: null } }, select: { channel: true, externalId: true } })
        : [],
      groupIds.length ? db.linkedGroup.findMany({ where: { id: { in: groupIds } }, select: { id: true, language: true, partnerId: true, removedAt: true } }) : [],
    ]);
    for (const r of rows) {
      if (r.broadcastId !== null && !contentCache.has(r.broadcastId)) {
        const b = await db.broadcast.findUnique({ where: { id: r.broadcastId }, select: { content: true } });
        contentCache.set(r.broadcastId, parseStored(contentSchema, b?.content) as BroadcastContent | null);
      }
    }
    return {
      lang: new Map(users.map((u) => [u.id, asLang(u.language)])),
      optedOut,
      blocked: new Set(blocked.map((b) => `${b.channel}:${b.externalId}`)),
      groups: new Map(groups.map((g) => [g.id, g])),
    };
  }

  /**
   * Records a row's outcome. A database fault is retried for a while: after a send, losing
   * the "sent" would send it again once the claim expires.
   */
  async function finish(rowId: number, data: Record<string, unknown>): Promise<void> {
    for (let wait = 250; ; wait *= 2) {
      try {
        await db.outboxMessage.update({ where: { id: rowId }, data: { claimedAt: null, claimedBy: null, ...data } });
        return;
      } catch (error) {
        if (!running || wait > leaseMs / 4 || !isTransientDatabaseError(error)) throw error;
        await clock.sleep(wait);
      }
    }
  }

  async function deliver(row: Row, batch: Awaited<ReturnType<typeof prepare>>): Promise<void> {
    const channel = row.channel as ChannelId;
    if (row.userId !== null && row.respectOptOut && batch.optedOut.has(row.userId)) return finish(row.id, { status: OUTBOX_STATUS.optedOut });
    if (batch.blocked.has(`${row.channel}:${row.chatId}`)) return finish(row.id, { status: OUTBOX_STATUS.blocked });
    const group = row.groupId !== null ? batch.groups.get(row.groupId) : undefined;
    if (row.groupId !== null && (!group || group.removedAt || group.partnerId === null)) return finish(row.id, { status: OUTBOX_STATUS.failed, lastError: "group unlinked" });
    const content = row.content ? (parseStored(contentSchema, row.content) as BroadcastContent | null) : contentCache.get(row.broadcastId ?? -1);
    if (!content) return finish(row.id, { status: OUTBOX_STATUS.failed, lastError: "content missing or invalid" });
    const lang = group ? asLang(group.language) : (batch.lang.get(row.userId ?? -1) ?? "en");
    const paid = paidEnabled && channel === "telegram" && content.paid === true;
    // Paid only while the operator allows it: turned off mid-broadcast, the rest goes free.
    const message = { ...renderContent(content, lang, deps.i18n.t(lang), group ? "group" : "private"), paidBroadcast: paid || undefined };

    const lane = paid ? PAID_LANE : channel;
    const isGroup = group !== undefined;
    // Stopping, or held so long that the lease ran out (another worker may own it now).
    const late = () => row.claimedAt !== null && clock.now() - row.claimedAt.getTime() > leaseMs * 0.8;
    const stop = () => !running || late();
    const giveBack = (notBefore?: Date) =>
      db.outboxMessage.updateMany({ where: { id: row.id, claimedBy: id }, data: { status: OUTBOX_STATUS.pending, claimedAt: null, claimedBy: null, ...(notBefore ? { notBefore } : {}) } });
    // Never past the lease: a row waiting here for its chat's permit must not be claimed by
    // another worker meanwhile. A longer wait (a group's twenty a minute) puts the row back
    // for when its chat is free, so it holds neither a claim nor a slot in the meantime.
    const grant = await pacer.grant(lane, row.chatId, isGroup, { abort: stop, maxChatWaitMs: Math.min(MAX_CHAT_WAIT_MS, leaseMs / 4) });
    if (!grant.ok) {
      await giveBack(grant.aborted ? undefined : new Date(clock.now() + grant.deferMs));
      return;
    }
    // Paused or cancelled since the claim: the last moment to hold the send back. Only the
    // sends already on the wire go out after a pause or cancel.
    if (row.broadcastId !== null && (await heldBack(row))) return;
    // The platform counts arrivals: a send that leaves long after its permit (a slow read above,
    // a busy process) could land in the next second's share. Right before each part leaves,
    // the permit must be fresh (pacer FRESH_MS), or fresh overall permits are taken; a further
    // part of a long message takes its own. Lateness lowers the rate instead of exceeding it.
    const gate = async (part: number) => {
      const g = part === 0 ? grant : await pacer.grant(lane, row.chatId, isGroup, { channelOnly: true, priority: "reply" });
      return (await pacer.fresh(lane, row.chatId, isGroup, g, part === 0 ? stop : undefined)).ok;
    };
    let sent: Array<{ messageId: string }>;
    try {
      sent = await deps.messenger.send({ channel, chatId: row.chatId, userId: group ? undefined : (row.userId ?? undefined), lang }, message, { gate });
    } catch (error) {
      // Too late to send on time, or stopping: nothing left, the row goes back to the queue.
      if (error instanceof SendHeldError) {
        await giveBack();
        return;
      }
      return failed(row, error);
    }
    // The platform's id of the last part: WhatsApp Cloud API receipts find the row by it.
    await finish(row.id, { status: OUTBOX_STATUS.sent, sentAt: nowDate(), lastError: null, platformMessageId: sent.at(-1)?.messageId ?? null });
  }

  /**
   * Whether the row's broadcast is no longer active: a paused one's row goes back to
   * pending (sent on resume), a cancelled one's is marked cancelled. One indexed read per
   * send; it is what makes pause and cancel take effect within one send, not a batch.
   */
  async function heldBack(row: Row): Promise<boolean> {
    const b = await db.broadcast.findUnique({ where: { id: row.broadcastId! }, select: { status: true } });
    if (b?.status === "active") return false;
    const status = b?.status === "paused" ? OUTBOX_STATUS.pending : OUTBOX_STATUS.cancelled;
    await db.outboxMessage.updateMany({ where: { id: row.id, claimedBy: id }, data: { status, claimedAt: null, claimedBy: null } });
    return true;
  }

  async function failed(row: Row, error: unknown): Promise<void> {
    const channel = row.channel as ChannelId;
    const kind = isChannelError(error) ? error.kind : "network";
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const now = clock.now();
    if (kind === "rate-limited" && isChannelError(error) && error.scope === "chat") {
      // Too many to this one person (WhatsApp's pair rate): only their row waits.
      return finish(row.id, { status: OUTBOX_STATUS.pending, notBefore: new Date(now + (error.retryAfterMs ?? 15_000)), lastError: reason });
    }
    if (kind === "window-closed") return finish(row.id, { status: OUTBOX_STATUS.skipped, lastError: reason });
    if (kind === "marketing-limit") return finish(row.id, { status: OUTBOX_STATUS.limited, lastError: reason });
    if (kind === "unavailable") {
      // The channel cannot send at all (a refused token): the row waits, no attempt is used up.
      pacer.pause(channel, now + UNAVAILABLE_PAUSE_MS);
      return finish(row.id, { status: OUTBOX_STATUS.pending, notBefore: new Date(now + UNAVAILABLE_PAUSE_MS), lastError: reason });
    }
    if (kind === "rate-limited") {
      const wait = isChannelError(error) && error.retryAfterMs ? error.retryAfterMs : 1000;
      pacer.pause(channel, now + wait);
      log.warn({ channel, retryAfterMs: wait }, "rate limited: channel paused");
      return finish(row.id, { status: OUTBOX_STATUS.pending, notBefore: new Date(now + wait), lastError: reason });
    }
    if (kind === "blocked") {
      if (row.groupId !== null) await db.linkedGroup.updateMany({ where: { id: row.groupId }, data: { removedAt: new Date(now) } });
      else await db.channelIdentity.updateMany({ where: { channel: row.channel, externalId: row.chatId, blockedAt: null }, data: { blockedAt: new Date(now) } });
      return finish(row.id, { status: OUTBOX_STATUS.blocked, lastError: reason });
    }
    if (kind === "migrated") return migrated(row, error as ChannelError, reason);
    if (kind === "network") {
      const attempts = row.attempts + 1;
      if (attempts >= maxAttempts) return finish(row.id, { status: OUTBOX_STATUS.failed, attempts, lastError: reason });
      const backoff = Math.min(backoffMaxMs, backoffBaseMs * 2 ** (attempts - 1)) * (0.8 + 0.4 * random());
      return finish(row.id, { status: OUTBOX_STATUS.pending, attempts, notBefore: new Date(now + backoff), lastError: reason });
    }
    return finish(row.id, { status: OUTBOX_STATUS.failed, lastError: reason });
  }

  /**
   * The group moved to a new chat id (a Telegram supergroup upgrade): the group and its
   * unsent rows move there, and this row is sent again there at once. Not an attempt, and
   * not "not found": nothing was wrong with the row.
   */
  async function migrated(row: Row, error: ChannelError, reason: string): Promise<void> {
    const to = error.migrateToChatId;
    const groupId = row.groupId !== null && to !== undefined && to !== row.chatId ? await migrateGroup(db, row.channel as ChannelId, row.chatId, to, nowDate()) : undefined;
    if (groupId === undefined) return finish(row.id, { status: OUTBOX_STATUS.failed, lastError: reason });
    // Merged into a group already stored under the new id: that group's own row is the one to send.
    if (groupId !== row.groupId) return finish(row.id, { status: OUTBOX_STATUS.cancelled, lastError: reason });
    log.info({ channel: row.channel, groupId, rowId: row.id }, "group moved to a new chat id (supergroup upgrade); sending there");
    return finish(row.id, { status: OUTBOX_STATUS.pending, chatId: to, groupId, notBefore: nowDate(), lastError: reason });
  }

  /**
   * One round: claim for every channel with room, start the sends. Returns rows claimed;
   * `seen` collects their ids (a row put back and claimed again is one row).
   */
  async function round(seen?: Set<number>): Promise<number> {
    let claimed = 0;
    for (const [channel, n] of await wanted()) {
      const rows = await claim(channel, n);
      if (rows.length === 0) continue;
      claimed += rows.length;
      for (const row of rows) seen?.add(row.id);
      const batch = await prepare(rows);
      for (const row of rows) {
        const done = deliver(row, batch)
          .catch(async (err: unknown) => {
            // A database that does not answer is expected to come back: a warning, not an error.
            log[isTransientDatabaseError(err) ? "warn" : "error"]({ err, rowId: row.id }, "outbox delivery failed");
            // Hand the row back (it is not known to be sent) so it is not stuck in "sending".
            await db.outboxMessage
              .updateMany({ where: { id: row.id, claimedBy: id, status: OUTBOX_STATUS.sending }, data: { status: OUTBOX_STATUS.pending, claimedAt: null, claimedBy: null } })
              .catch(() => undefined);
          })
          .finally(() => {
            inFlight.delete(row.id);
            wake?.();
          });
        inFlight.set(row.id, { channel, done });
      }
    }
    return claimed;
  }

  function nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      let claimed = 0;
      try {
        claimed = await round();
      } catch (err) {
        log[isTransientDatabaseError(err) ? "warn" : "error"]({ err }, "outbox claim failed");
      }
      if (!running) break;
      // Rows were there: come back as soon as a send finishes (nap is woken); otherwise poll.
      await nap(pollMs);
    }
  }

  return {
    name: "broadcasts.outbox",
    id,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await Promise.all([...inFlight.values()].map((f) => f.done));
    },
    async drain() {
      const wasRunning = running;
      running = true;
      // Rows, not claims: a send that was always late goes back to the queue and is claimed again.
      const rows = new Set<number>();
      try {
        for (;;) {
          const n = await round(rows);
          if (n === 0 && inFlight.size === 0) {
            // A paused channel may still have due rows: wait the pause out, then look again.
            // (Only running channels: one that stopped, like a refused Cloud API token, never sends here.)
            const until = Math.max(0, ...CHANNEL_IDS.filter((c) => deps.messenger.capabilities(c)).map((c) => pacer.pausedUntil(c)));
            if (until <= clock.now()) break;
            await clock.sleep(until - clock.now());
            continue;
          }
          if (inFlight.size > 0) await Promise.race([...inFlight.values()].map((f) => f.done));
        }
      } finally {
        running = wasRunning;
      }
      return rows.size;
    },
    inFlight: () => inFlight.size,
  };
}

function asLang(value: string): Lang {
  return (LANGS as readonly string[]).includes(value) ? (value as Lang) : "en";
}
