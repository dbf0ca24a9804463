/**
 * The statements every inbound message runs, on the driver directly (the same connection
 * or pool Prisma uses): the inbox (store, mark handled; docs/decisions/0008-inbound-inbox.md),
 * the user lookup, the choices offered, the reply language. A profile of
 * bench/core.bench.ts showed Prisma's client and query compiler taking about two thirds of
 * the CPU on this path even for raw SQL (docs/decisions/0004-core-hot-path-sql.md).
 * Everything else goes through Prisma.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { DatabaseTimeoutError } from "./errors.ts";
import { retryWhileBusy } from "./sqlite-busy.ts";

/** The core's per-message row: identity, user and conversation state. */
export interface UserRow {
  id: number;
  role: string;
  language: string;
  languageExplicit: boolean;
  displayName: string | null;
  identityId: number;
  blockedAt: Date | null;
  flow: string | null;
  data: string | null;
  choices: string | null;
  expiresAt: Date | null;
}

/** An inbox row this process now holds: handle it, then mark it handled. */
export interface InboxClaim {
  id: number;
  /** Handling attempts including this one. */
  attempts: number;
  /** The stored message (JSON); null only for rows written before the inbox had payloads. */
  payload: string | null;
}

/** A message to store in the inbox, claimed by `owner` until `leaseUntil`. */
export interface InboxEntry {
  channel: string;
  messageId: string;
  payload: string;
  at: Date;
  owner: string;
  leaseUntil: Date;
}

/** What the replay claims: unhandled rows on these channels whose lease ran out or whose owner died. */
export interface InboxClaimQuery {
  channels: string[];
  owner: string;
  now: Date;
  leaseUntil: Date;
  limit: number;
  /** Owners known to be dead (a process of this machine that is gone): taken at once. */
  deadOwners: string[];
}

/** Hot-path statements, one implementation per provider. */
export interface HotPath {
  /**
   * Stores a message and claims it (one statement). When the id is known: takes the row
   * over if it is unhandled and its lease ran out (a redelivery after a crash), otherwise
   * returns undefined (handled already, or being handled).
   */
  storeInbound(entry: InboxEntry): Promise<InboxClaim | undefined>;
  /** Marks rows handled and drops their payload. */
  markHandled(ids: number[], at: Date): Promise<void>;
  /** Extends `owner`'s claim for another attempt; undefined when the row is no longer theirs. */
  renewInbound(id: number, owner: string, leaseUntil: Date): Promise<number | undefined>;
  /** Claims unhandled rows for a replay, oldest first (several processes never take the same row). */
  claimInbound(query: InboxClaimQuery): Promise<InboxClaim[]>;
  /** Owners holding an unexpired claim on an unhandled row. */
  inboxOwners(now: Date): Promise<string[]>;
  /** A trivial read (for `/health`). */
  ping(): Promise<void>;
  /** Identity + user + state for (channel, external id). */
  findUser(channel: string, externalId: string): Promise<UserRow | undefined>;
  /** Stores the choices last offered to a user (JSON text). */
  rememberChoices(userId: number, choicesJson: string, at: Date): Promise<void>;
  /** Sets the reply language (detection changes it whenever a user switches language). */
  setLanguage(userId: number, language: string, explicit: boolean, at: Date): Promise<void>;
}

const SELECT_USER = `
  SELECT u."id", u."role", u."language", u."languageExplicit", u."displayName", i."id" AS "identityId", i."blockedAt",
         s."flow", s."data", s."choices", s."expiresAt"
  FROM "ChannelIdentity" i
  JOIN "User" u ON u."id" = i."userId"
  LEFT JOIN "ConversationState" s ON s."userId" = u."id"
  WHERE i."channel" = $1 AND i."externalId" = $2`;
// A new id is inserted and claimed; a known one is taken over only when unhandled and past
// its lease (the process that claimed it died or stalled). RETURNING gives a row only then.
const STORE_INBOUND = `
  INSERT INTO "InboundMessage" ("channel", "externalMessageId", "receivedAt", "payload", "claimedBy", "leaseUntil", "attempts")
  VALUES ($1, $2, $3, $4, $5, $6, 1)
  ON CONFLICT ("channel", "externalMessageId") DO UPDATE
    SET "claimedBy" = excluded."claimedBy", "leaseUntil" = excluded."leaseUntil", "attempts" = "InboundMessage"."attempts" + 1
    WHERE "InboundMessage"."handledAt" IS NULL AND ("InboundMessage"."leaseUntil" IS NULL OR "InboundMessage"."leaseUntil" < excluded."receivedAt")
  RETURNING "id", "attempts", "payload"`;
const RENEW_INBOUND = `
  UPDATE "InboundMessage" SET "leaseUntil" = $1, "attempts" = "attempts" + 1
  WHERE "id" = $2 AND "claimedBy" = $3 AND "handledAt" IS NULL
  RETURNING "attempts"`;
const INBOX_OWNERS = `SELECT DISTINCT "claimedBy" FROM "InboundMessage" WHERE "handledAt" IS NULL AND "leaseUntil" >= $1 AND "claimedBy" IS NOT NULL`;
// Lists go in as one parameter: JSON for SQLite (json_each), an array for PostgreSQL.
const MARK_HANDLED = {
  sqlite: `UPDATE "InboundMessage" SET "handledAt" = ?, "payload" = NULL, "claimedBy" = NULL, "leaseUntil" = NULL WHERE "id" IN (SELECT value FROM json_each(?))`,
  postgres: `UPDATE "InboundMessage" SET "handledAt" = $1, "payload" = NULL, "claimedBy" = NULL, "leaseUntil" = NULL WHERE "id" = ANY($2::int[])`,
};
const claimSql = (list: (n: number) => string, lock: string) => `
  UPDATE "InboundMessage" SET "claimedBy" = $1, "leaseUntil" = $2, "attempts" = "attempts" + 1
  WHERE "id" IN (
    SELECT "id" FROM "InboundMessage"
    WHERE "handledAt" IS NULL AND "channel" IN ${list(3)}
      AND ("leaseUntil" IS NULL OR "leaseUntil" < $4 OR "claimedBy" IN ${list(5)})
    ORDER BY "id" LIMIT $6${lock})
  RETURNING "id", "attempts", "payload"`;
const CLAIM_INBOUND = {
  sqlite: claimSql((n) => `(SELECT value FROM json_each($${n}))`, "").replace(/\$\d/g, "?"),
  postgres: claimSql((n) => `(SELECT unnest($${n}::text[]))`, " FOR UPDATE SKIP LOCKED"),
};
const UPSERT_CHOICES = `
  INSERT INTO "ConversationState" ("userId", "choices", "updatedAt") VALUES ($1, $2, $3)
  ON CONFLICT ("userId") DO UPDATE SET "choices" = excluded."choices", "updatedAt" = excluded."updatedAt"`;
const UPDATE_LANGUAGE = `UPDATE "User" SET "language" = $1, "languageExplicit" = $2, "updatedAt" = $3 WHERE "id" = $4`;

/**
 * SQLite: prepared statements on Prisma's own better-sqlite3 connection (`client()`), so
 * there is one writer and no lock waits between two connections of one process.
 */
export function createSqliteHotPath(client: () => BetterSqlite3.Database, budgetMs = 10_000): HotPath {
  let statements: ReturnType<typeof prepare> | undefined;
  const q = (sql: string) => sql.replace(/\$\d/g, "?");
  const prepare = (db: BetterSqlite3.Database) => ({
    store: db.prepare(q(STORE_INBOUND)),
    mark: db.prepare(MARK_HANDLED.sqlite),
    renew: db.prepare(q(RENEW_INBOUND)),
    claim: db.prepare(CLAIM_INBOUND.sqlite),
    owners: db.prepare(q(INBOX_OWNERS)).pluck(),
    ping: db.prepare(`SELECT 1 FROM sqlite_master LIMIT 1`),
    select: db.prepare(q(SELECT_USER)),
    upsert: db.prepare(q(UPSERT_CHOICES)),
    language: db.prepare(q(UPDATE_LANGUAGE)),
  });
  const get = () => (statements ??= prepare(client()));
  // Busy statements are retried off the event loop (sqlite-busy.ts).
  const run = <T>(fn: (s: ReturnType<typeof prepare>) => T) => retryWhileBusy(() => fn(get()), budgetMs);
  /**
   * Inbox writes wait until no interactive transaction is open on the shared connection:
   * run inside one, they would be rolled back with it, and a message acknowledged to the
   * platform would be gone.
   */
  const inboxWrite = async <T>(fn: (s: ReturnType<typeof prepare>) => T): Promise<T> => {
    const deadline = Date.now() + budgetMs;
    while (client().inTransaction) {
      if (Date.now() > deadline) throw new DatabaseTimeoutError(`a transaction stayed open on the SQLite connection for ${budgetMs} ms`);
      await sleep(1);
    }
    return run(fn);
  };
  return {
    async storeInbound(e) {
      const row = await inboxWrite((s) => s.store.get(e.channel, e.messageId, sqliteDate(e.at), e.payload, e.owner, sqliteDate(e.leaseUntil)) as Record<string, unknown> | undefined);
      return row ? toClaim(row) : undefined;
    },
    async markHandled(ids, at) {
      if (ids.length) await inboxWrite((s) => s.mark.run(sqliteDate(at), JSON.stringify(ids)));
    },
    async renewInbound(id, owner, leaseUntil) {
      const row = await inboxWrite((s) => s.renew.get(sqliteDate(leaseUntil), id, owner) as Record<string, unknown> | undefined);
      return row ? Number(row.attempts) : undefined;
    },
    async claimInbound(c) {
      const rows = await inboxWrite(
        (s) => s.claim.all(c.owner, sqliteDate(c.leaseUntil), JSON.stringify(c.channels), sqliteDate(c.now), JSON.stringify(c.deadOwners), c.limit) as Array<Record<string, unknown>>,
      );
      return rows.map(toClaim).sort((a, b) => a.id - b.id);
    },
    async inboxOwners(now) {
      return (await run((s) => s.owners.all(sqliteDate(now)))) as string[];
    },
    async ping() {
      await run((s) => s.ping.get());
    },
    async findUser(channel, externalId) {
      const row = (await run((s) => s.select.get(channel, externalId))) as Record<string, unknown> | undefined;
      return row ? toUserRow(row) : undefined;
    },
    async rememberChoices(userId, choicesJson, at) {
      await run((s) => s.upsert.run(userId, choicesJson, sqliteDate(at)));
    },
    async setLanguage(userId, language, explicit, at) {
      await run((s) => s.language.run(language, explicit ? 1 : 0, sqliteDate(at), userId));
    },
  };
}

/** PostgreSQL: the pool Prisma's adapter uses (its search_path points at the schema). */
export function createPostgresHotPath(pool: pg.Pool): HotPath {
  return {
    async storeInbound(e) {
      const { rows } = await pool.query(STORE_INBOUND, [e.channel, e.messageId, e.at, e.payload, e.owner, e.leaseUntil]);
      return rows[0] ? toClaim(rows[0] as Record<string, unknown>) : undefined;
    },
    async markHandled(ids, at) {
      if (ids.length) await pool.query(MARK_HANDLED.postgres, [at, ids]);
    },
    async renewInbound(id, owner, leaseUntil) {
      const { rows } = await pool.query(RENEW_INBOUND, [leaseUntil, id, owner]);
      return rows[0] ? Number((rows[0] as { attempts: unknown }).attempts) : undefined;
    },
    async claimInbound(c) {
      const { rows } = await pool.query(CLAIM_INBOUND.postgres, [c.owner, c.leaseUntil, c.channels, c.now, c.deadOwners, c.limit]);
      return (rows as Array<Record<string, unknown>>).map(toClaim).sort((a, b) => a.id - b.id);
    },
    async inboxOwners(now) {
      const { rows } = await pool.query(INBOX_OWNERS, [now]);
      return (rows as Array<{ claimedBy: string }>).map((r) => r.claimedBy);
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async findUser(channel, externalId) {
      const { rows } = await pool.query(SELECT_USER, [channel, externalId]);
      return rows[0] ? toUserRow(rows[0] as Record<string, unknown>) : undefined;
    },
    async rememberChoices(userId, choicesJson, at) {
      await pool.query(UPSERT_CHOICES, [userId, choicesJson, at]);
    },
    async setLanguage(userId, language, explicit, at) {
      await pool.query(UPDATE_LANGUAGE, [language, explicit, at, userId]);
    },
  };
}

/** The text form Prisma's SQLite adapter writes for DateTime (iso8601 with +00:00). */
function sqliteDate(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}

function toClaim(r: Record<string, unknown>): InboxClaim {
  return { id: Number(r.id), attempts: Number(r.attempts), payload: (r.payload as string | null) ?? null };
}

// Prisma's connection returns integers as BigInt (defaultSafeIntegers) and dates as text.
function toUserRow(r: Record<string, unknown>): UserRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    id: Number(r.id),
    role: String(r.role),
    language: String(r.language),
    languageExplicit: r.languageExplicit === true || Number(r.languageExplicit) === 1,
    displayName: (r.displayName as string | null) ?? null,
    identityId: Number(r.identityId),
    blockedAt: date(r.blockedAt),
    flow: (r.flow as string | null) ?? null,
    data: (r.data as string | null) ?? null,
    choices: (r.choices as string | null) ?? null,
    expiresAt: date(r.expiresAt),
  };
}
