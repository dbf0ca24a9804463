/**
 * The statements every inbound message runs, on the driver directly (the same connection
 * or pool Prisma uses): the inbox (store, mark handled; docs/decisions/0008-inbound-inbox.md),
 * the user lookup, the choices offered, the reply language. A profile of
 * bench/core.bench.ts showed Prisma's client and query compiler taking about two thirds of
 * the CPU on this path even for raw SQL (docs/decisions/0004-core-hot-path-sql.md).
 * Everything else goes through Prisma.
 */
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { DatabaseTimeoutError, isSqliteBusy } from "./errors.ts";
import { createTurns, retryWhileBusy, type Turns } from "./sqlite-busy.ts";

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
  /** Extends `owner`'s claim while an attempt still runs (no attempt counted); false when the row is no longer theirs. */
  keepInbound(id: number, owner: string, leaseUntil: Date): Promise<boolean>;
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
  /** Stores a user's flow, its data (JSON text) and expiry; a null flow (data "{}", no expiry) clears it. */
  saveState(userId: number, state: SavedState, at: Date): Promise<void>;
  /** The partner finder's stored place and categories of a seller, if any. */
  findSellerProfile(userId: number): Promise<SellerProfileRow | undefined>;
  /** Stores a seller's place (town, coordinates), creating the profile when new; the categories are left alone. */
  saveSellerPlace(userId: number, place: SellerPlace, at: Date): Promise<void>;
  /** Stores a seller's product categories (";"-joined), creating the profile when new; the place is left alone. */
  saveSellerCategories(userId: number, categories: string, at: Date): Promise<void>;
  /**
   * Creates a user with their first identity, both or neither. Throws the driver's unique
   * violation when the identity exists already (another process created it a moment ago).
   * Returns the new rows' ids, so the caller need not read the user back.
   */
  createUser(user: NewUser): Promise<{ userId: number; identityId: number }>;
  /**
   * Subscribes a user to `topics` where they have no row yet (a row that exists, an opt-out
   * above all, is left alone). True when a row was created: the user's first contact.
   */
  subscribeIfNew(userId: number, topics: readonly string[], source: string, at: Date): Promise<boolean>;
}

/** A conversation's flow as stored: `ConversationState` without the choices offered. */
export interface SavedState {
  flow: string | null;
  dataJson: string;
  expiresAt: Date | null;
}

/** Where a seller is, as the partner finder stores it. */
export interface SellerPlace {
  city: string | null;
  latitude: number;
  longitude: number;
}

/** A `SellerProfile` row as the partner finder reads it. */
export interface SellerProfileRow {
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  categories: string;
}

/** A user writing for the first time. */
export interface NewUser {
  channel: string;
  externalId: string;
  role: string;
  language: string;
  displayName: string | null;
  at: Date;
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
const KEEP_INBOUND = `UPDATE "InboundMessage" SET "leaseUntil" = $1 WHERE "id" = $2 AND "claimedBy" = $3 AND "handledAt" IS NULL`;
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
const pgTypes = pg.types;
const UPSERT_CHOICES = `
  INSERT INTO "ConversationState" ("userId", "choices", "updatedAt") VALUES ($1, $2, $3)
  ON CONFLICT ("userId") DO UPDATE SET "choices" = excluded."choices", "updatedAt" = excluded."updatedAt"`;
const UPDATE_LANGUAGE = `UPDATE "User" SET "language" = $1, "languageExplicit" = $2, "updatedAt" = $3 WHERE "id" = $4`;
// The choices offered are left alone (their own upsert); a new row gets the default "[]".
const UPSERT_STATE = `
  INSERT INTO "ConversationState" ("userId", "flow", "data", "expiresAt", "updatedAt") VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT ("userId") DO UPDATE SET "flow" = excluded."flow", "data" = excluded."data", "expiresAt" = excluded."expiresAt", "updatedAt" = excluded."updatedAt"`;
// The partner finder's profile (features/partners): read on "nearest partner", written when a
// seller names their town. Through Prisma an upsert cost about 100 times the driver's CPU.
const SELECT_PROFILE = `SELECT "userId", "city", "latitude", "longitude", "categories" FROM "SellerProfile" WHERE "userId" = $1`;
const UPSERT_PLACE = `
  INSERT INTO "SellerProfile" ("userId", "city", "latitude", "longitude", "updatedAt") VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT ("userId") DO UPDATE SET "city" = excluded."city", "latitude" = excluded."latitude", "longitude" = excluded."longitude", "updatedAt" = excluded."updatedAt"`;
const UPSERT_CATEGORIES = `
  INSERT INTO "SellerProfile" ("userId", "categories", "updatedAt") VALUES ($1, $2, $3)
  ON CONFLICT ("userId") DO UPDATE SET "categories" = excluded."categories", "updatedAt" = excluded."updatedAt"`;
const INSERT_USER = `INSERT INTO "User" ("role", "language", "languageExplicit", "displayName", "createdAt", "updatedAt") VALUES ($1, $2, false, $3, $4, $4) RETURNING "id"`;
const INSERT_IDENTITY = `INSERT INTO "ChannelIdentity" ("channel", "externalId", "userId", "createdAt") VALUES ($1, $2, $3, $4) RETURNING "id"`;
// First contact (features/broadcasts): through Prisma a refused create cost about 3 ms of CPU.
const SUBSCRIBE_IF_NEW = `
  INSERT INTO "Subscription" ("userId", "topic", "status", "source", "createdAt", "updatedAt") VALUES ($1, $2, 'subscribed', $3, $4, $4)
  ON CONFLICT ("userId", "topic") DO NOTHING`;
// PostgreSQL: both in one statement, so a duplicate identity leaves no user behind.
const CREATE_USER_PG = `
  WITH u AS (INSERT INTO "User" ("role", "language", "languageExplicit", "displayName", "createdAt", "updatedAt") VALUES ($1, $2, false, $3, $4, $4) RETURNING "id")
  INSERT INTO "ChannelIdentity" ("channel", "externalId", "userId", "createdAt") SELECT $5, $6, u."id", $4 FROM u
  RETURNING "id", "userId"`;

/**
 * SQLite: prepared statements on Prisma's own better-sqlite3 connection (`client()`), so
 * there is one writer and no lock waits between two connections of one process. The
 * inbox's writes are committed in groups: every write asked for in one turn of the event
 * loop goes into one transaction, because the commit costs far more than the statements
 * (a message then costs one shared commit instead of two of its own).
 */
export function createSqliteHotPath(client: () => BetterSqlite3.Database, options: { budgetMs?: number; turns?: Turns } = {}): HotPath {
  const budgetMs = options.budgetMs ?? 10_000;
  const turns = options.turns ?? createTurns();
  let statements: ReturnType<typeof prepare> | undefined;
  const q = (sql: string) => sql.replace(/\$\d/g, "?");
  const prepare = (db: BetterSqlite3.Database) => ({
    store: db.prepare(q(STORE_INBOUND)),
    mark: db.prepare(MARK_HANDLED.sqlite),
    renew: db.prepare(q(RENEW_INBOUND)),
    keep: db.prepare(q(KEEP_INBOUND)),
    claim: db.prepare(CLAIM_INBOUND.sqlite),
    owners: db.prepare(q(INBOX_OWNERS)).pluck(),
    ping: db.prepare(`SELECT 1 FROM sqlite_master LIMIT 1`),
    select: db.prepare(q(SELECT_USER)),
    upsert: db.prepare(q(UPSERT_CHOICES)),
    language: db.prepare(q(UPDATE_LANGUAGE)),
    state: db.prepare(q(UPSERT_STATE)),
    profile: db.prepare(q(SELECT_PROFILE)),
    place: db.prepare(q(UPSERT_PLACE)),
    categories: db.prepare(q(UPSERT_CATEGORIES)),
    subscribe: db.prepare(q(SUBSCRIBE_IF_NEW)),
    group: db.transaction((ops: Array<() => unknown>) => ops.map((op) => op())),
    // A transaction of its own, or a savepoint inside a group: both rows or neither.
    createUser: createUserTransaction(db),
  });
  const get = () => (statements ??= prepare(client()));
  // Busy statements are retried off the event loop (sqlite-busy.ts).
  const run = <T>(fn: (s: ReturnType<typeof prepare>) => T) => retryWhileBusy(() => fn(get()), budgetMs);
  const inbox = createGroupCommit(get, turns, budgetMs);
  return {
    async storeInbound(e) {
      const row = await inbox((s) => s.store.get(e.channel, e.messageId, sqliteDate(e.at), e.payload, e.owner, sqliteDate(e.leaseUntil)) as Record<string, unknown> | undefined);
      return row ? toClaim(row) : undefined;
    },
    async markHandled(ids, at) {
      if (ids.length) await inbox((s) => s.mark.run(sqliteDate(at), JSON.stringify(ids)));
    },
    async renewInbound(id, owner, leaseUntil) {
      const row = await inbox((s) => s.renew.get(sqliteDate(leaseUntil), id, owner) as Record<string, unknown> | undefined);
      return row ? Number(row.attempts) : undefined;
    },
    async keepInbound(id, owner, leaseUntil) {
      return (await inbox((s) => s.keep.run(sqliteDate(leaseUntil), id, owner).changes)) > 0;
    },
    async claimInbound(c) {
      const rows = await inbox(
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
    async saveState(userId, st, at) {
      // With the inbox's writes: one shared commit, and never inside another handler's
      // interactive transaction (Prisma's, on the same connection; decision 0008).
      await inbox((s) => s.state.run(userId, st.flow, st.dataJson, st.expiresAt ? sqliteDate(st.expiresAt) : null, sqliteDate(at)));
    },
    async findSellerProfile(userId) {
      const row = (await run((s) => s.profile.get(userId))) as Record<string, unknown> | undefined;
      return row ? toProfileRow(row) : undefined;
    },
    async saveSellerPlace(userId, p, at) {
      await inbox((s) => s.place.run(userId, p.city, p.latitude, p.longitude, sqliteDate(at)));
    },
    async saveSellerCategories(userId, categories, at) {
      await inbox((s) => s.categories.run(userId, categories, sqliteDate(at)));
    },
    async createUser(u) {
      // With the inbox's writes: a write of its own would wait for their group's commit anyway.
      return inbox((s) => s.createUser(u));
    },
    async subscribeIfNew(userId, topics, source, at) {
      const created = await inbox((s) => topics.reduce((n, topic) => n + s.subscribe.run(userId, topic, source, sqliteDate(at), sqliteDate(at)).changes, 0));
      return created > 0;
    },
  };
}

/** SQLite: the user and their identity in one transaction (INSERT_USER takes the time twice). */
function createUserTransaction(db: BetterSqlite3.Database): (u: NewUser) => { userId: number; identityId: number } {
  const user = db.prepare(INSERT_USER.replace(/\$\d/g, "?"));
  const identity = db.prepare(INSERT_IDENTITY.replace(/\$\d/g, "?"));
  return db.transaction((u: NewUser) => {
    const { id } = user.get(u.role, u.language, u.displayName, sqliteDate(u.at), sqliteDate(u.at)) as { id: number | bigint };
    const row = identity.get(u.channel, u.externalId, id, sqliteDate(u.at)) as { id: number | bigint };
    return { userId: Number(id), identityId: Number(row.id) };
  });
}

type SqliteStatements = { group: BetterSqlite3.Transaction<(ops: Array<() => unknown>) => unknown[]> };

/**
 * Group commit for the inbox on SQLite. A group waits for its turn with interactive
 * transactions (they share the connection: inside one, an inbox write would be rolled back
 * with it), then runs in one transaction, retried while the database is busy. If one write
 * fails, each is run on its own so the others still succeed.
 */
function createGroupCommit<S extends SqliteStatements>(get: () => S, turns: Turns, budgetMs: number) {
  type Op = { run: (s: S) => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };
  let pending: Op[] = [];
  async function flush(): Promise<void> {
    const ops = pending;
    pending = [];
    let release: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const turn = turns.acquire(true).then((r) => (release = r));
    try {
      await Promise.race([
        turn,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new DatabaseTimeoutError(`a transaction held the SQLite connection for ${budgetMs} ms`)), budgetMs))),
      ]);
      clearTimeout(timer);
      try {
        const results = await retryWhileBusy(() => get().group(ops.map((op) => () => op.run(get()))), budgetMs);
        ops.forEach((op, i) => op.resolve(results[i]));
      } catch (error) {
        if (ops.length === 1 || isSqliteBusy(error)) throw error;
        for (const op of ops) await retryWhileBusy(() => op.run(get()), budgetMs).then(op.resolve, op.reject);
      }
    } catch (error) {
      for (const op of ops) op.reject(error);
    } finally {
      clearTimeout(timer);
      // A turn that came too late is given back as soon as it comes.
      if (release) release();
      else void turn.then((r) => r());
    }
  }
  return <T>(run: (s: S) => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      pending.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (pending.length === 1) setImmediate(() => void flush());
    });
}

/**
 * PostgreSQL: the pool Prisma's adapter uses (its search_path points at the schema). Inbox
 * stores and marks asked for in one turn of the event loop go out as one statement each.
 * Dates are sent as UTC text, as Prisma writes them (the columns have no time zone).
 */
export function createPostgresHotPath(pool: pg.Pool): HotPath {
  const utc = (d: Date) => d.toISOString();
  const store = batched(async (entries: InboxEntry[]) => {
    // One message twice in a batch (a redelivery at the same moment): the first takes it.
    const key = (e: InboxEntry) => `${e.channel}\u0000${e.messageId}`;
    const byKey = new Map<string, InboxEntry>();
    for (const e of entries) if (!byKey.has(key(e))) byKey.set(key(e), e);
    const unique = [...byKey.values()];
    const { rows } = await pool.query(STORE_INBOUND_MANY, [
      unique.map((e) => e.channel),
      unique.map((e) => e.messageId),
      unique.map((e) => utc(e.at)),
      unique.map((e) => e.payload),
      unique.map((e) => e.owner),
      unique.map((e) => utc(e.leaseUntil)),
    ]);
    const claims = new Map((rows as Array<Record<string, unknown>>).map((r) => [`${String(r.channel)}\u0000${String(r.externalMessageId)}`, toClaim(r)]));
    const taken = new Set<string>();
    return entries.map((e) => {
      const k = key(e);
      if (taken.has(k)) return undefined;
      taken.add(k);
      return claims.get(k);
    });
  });
  const mark = batched(async (items: Array<{ ids: number[]; at: Date }>) => {
    await pool.query(MARK_HANDLED.postgres, [utc(items[0]!.at), items.flatMap((i) => i.ids)]);
    return items.map(() => undefined);
  });
  // The two per-message statements besides the inbox, grouped per turn of the event loop as
  // well: with 64 messages in flight a round trip each was most of PostgreSQL's cost.
  const findUsers = batched(async (keys: Array<{ channel: string; externalId: string }>) => {
    const { rows } = await pool.query({ text: SELECT_USERS, values: [keys.map((k) => k.channel), keys.map((k) => k.externalId)], types: UTC_TIMESTAMPS });
    const found = new Map((rows as Array<Record<string, unknown>>).map((r) => [`${String(r.channel)}\u0000${String(r.externalId)}`, r]));
    return keys.map((k) => {
      const r = found.get(`${k.channel}\u0000${k.externalId}`);
      return r ? toUserRow(r) : undefined;
    });
  });
  const remember = perUserWrites(async (rows: Array<{ userId: number; choicesJson: string; at: Date }>) => {
    await pool.query(UPSERT_CHOICES_MANY, [rows.map((r) => r.userId), rows.map((r) => r.choicesJson), rows.map((r) => utc(r.at))]);
  });
  // Flows (set, cleared) and language switches: a feature's flow step or a detected switch
  // costs one of these per message; grouped like the choices, a user's later call winning.
  const states = perUserWrites(async (rows: Array<{ userId: number; state: SavedState; at: Date }>) => {
    await pool.query(UPSERT_STATES_MANY, [
      rows.map((r) => r.userId),
      rows.map((r) => r.state.flow),
      rows.map((r) => r.state.dataJson),
      rows.map((r) => (r.state.expiresAt ? utc(r.state.expiresAt) : null)),
      rows.map((r) => utc(r.at)),
    ]);
  });
  const languages = perUserWrites(async (rows: Array<{ userId: number; language: string; explicit: boolean; at: Date }>) => {
    await pool.query(UPDATE_LANGUAGES_MANY, [rows.map((r) => r.userId), rows.map((r) => r.language), rows.map((r) => r.explicit), rows.map((r) => utc(r.at))]);
  });
  const profiles = batched(async (userIds: number[]) => {
    const { rows } = await pool.query(SELECT_PROFILES, [userIds]);
    const found = new Map((rows as Array<Record<string, unknown>>).map((r) => [Number(r.userId), toProfileRow(r)]));
    return userIds.map((id) => found.get(id));
  });
  const places = perUserWrites(async (rows: Array<{ userId: number; place: SellerPlace; at: Date }>) => {
    await pool.query(UPSERT_PLACES_MANY, [rows.map((r) => r.userId), rows.map((r) => r.place.city), rows.map((r) => r.place.latitude), rows.map((r) => r.place.longitude), rows.map((r) => utc(r.at))]);
  });
  // Every new user's first message (and a known one's first after a restart): grouped too.
  const subscribe = batched(async (items: Array<{ userId: number; topics: readonly string[]; source: string; at: Date }>) => {
    const rows = items.flatMap((i) => i.topics.map((topic) => ({ ...i, topic })));
    const { rows: created } = await pool.query(SUBSCRIBE_IF_NEW_MANY, [rows.map((r) => r.userId), rows.map((r) => r.topic), rows.map((r) => r.source), rows.map((r) => utc(r.at))]);
    const users = new Set((created as Array<{ userId: unknown }>).map((r) => Number(r.userId)));
    // A user asked twice in one turn is told "created" once, as one call after the other would be.
    return items.map((i) => users.delete(i.userId));
  });
  return {
    storeInbound: (e) => store(e),
    async markHandled(ids, at) {
      if (ids.length) await mark({ ids, at });
    },
    async renewInbound(id, owner, leaseUntil) {
      const { rows } = await pool.query(RENEW_INBOUND, [utc(leaseUntil), id, owner]);
      return rows[0] ? Number((rows[0] as { attempts: unknown }).attempts) : undefined;
    },
    async keepInbound(id, owner, leaseUntil) {
      return ((await pool.query(KEEP_INBOUND, [utc(leaseUntil), id, owner])).rowCount ?? 0) > 0;
    },
    async claimInbound(c) {
      const { rows } = await pool.query(CLAIM_INBOUND.postgres, [c.owner, utc(c.leaseUntil), c.channels, utc(c.now), c.deadOwners, c.limit]);
      return (rows as Array<Record<string, unknown>>).map(toClaim).sort((a, b) => a.id - b.id);
    },
    async inboxOwners(now) {
      const { rows } = await pool.query(INBOX_OWNERS, [utc(now)]);
      return (rows as Array<{ claimedBy: string }>).map((r) => r.claimedBy);
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    findUser: (channel, externalId) => findUsers({ channel, externalId }),
    rememberChoices: (userId, choicesJson, at) => remember({ userId, choicesJson, at }),
    setLanguage: (userId, language, explicit, at) => languages({ userId, language, explicit, at }),
    saveState: (userId, state, at) => states({ userId, state, at }),
    findSellerProfile: (userId) => profiles(userId),
    saveSellerPlace: (userId, place, at) => places({ userId, place, at }),
    async saveSellerCategories(userId, categories, at) {
      // Only when a message names a product category: rare enough to go alone.
      await pool.query(UPSERT_CATEGORIES, [userId, categories, utc(at)]);
    },
    async createUser(u) {
      const { rows } = await pool.query(CREATE_USER_PG, [u.role, u.language, u.displayName, utc(u.at), u.channel, u.externalId]);
      const row = rows[0] as { id: unknown; userId: unknown };
      return { userId: Number(row.userId), identityId: Number(row.id) };
    },
    subscribeIfNew: (userId, topics, source, at) => subscribe({ userId, topics, source, at }),
  };
}

// The same upsert as STORE_INBOUND for many rows at once (arrays, one per column). In key
// order: two processes storing overlapping batches (an update delivered to both) then take
// the rows' locks in the same order, and one waits for the other's commit and finds the row
// claimed, instead of each holding a row the other needs (a deadlock PostgreSQL breaks
// after a second by failing a whole batch).
const STORE_INBOUND_MANY = `
  INSERT INTO "InboundMessage" ("channel", "externalMessageId", "receivedAt", "payload", "claimedBy", "leaseUntil", "attempts")
  SELECT c, m, r::timestamp, p, o, l::timestamp, 1 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(c, m, r, p, o, l)
  ORDER BY c, m
  ON CONFLICT ("channel", "externalMessageId") DO UPDATE
    SET "claimedBy" = excluded."claimedBy", "leaseUntil" = excluded."leaseUntil", "attempts" = "InboundMessage"."attempts" + 1
    WHERE "InboundMessage"."handledAt" IS NULL AND ("InboundMessage"."leaseUntil" IS NULL OR "InboundMessage"."leaseUntil" < excluded."receivedAt")
  RETURNING "id", "attempts", "payload", "channel", "externalMessageId"`;

// SELECT_USER for many (channel, external id) pairs; the pair comes back to match callers.
const SELECT_USERS = `
  SELECT u."id", u."role", u."language", u."languageExplicit", u."displayName", i."id" AS "identityId", i."blockedAt",
         s."flow", s."data", s."choices", s."expiresAt", i."channel", i."externalId"
  FROM unnest($1::text[], $2::text[]) AS k(c, e)
  JOIN "ChannelIdentity" i ON i."channel" = k.c AND i."externalId" = k.e
  JOIN "User" u ON u."id" = i."userId"
  LEFT JOIN "ConversationState" s ON s."userId" = u."id"`;
// UPSERT_CHOICES for many users (one row each), in user order like the inbox's batch.
const UPSERT_CHOICES_MANY = `
  INSERT INTO "ConversationState" ("userId", "choices", "updatedAt")
  SELECT u, c, a::timestamp FROM unnest($1::int[], $2::text[], $3::text[]) AS t(u, c, a)
  ORDER BY u
  ON CONFLICT ("userId") DO UPDATE SET "choices" = excluded."choices", "updatedAt" = excluded."updatedAt"`;

// UPSERT_STATE for many users, in user order like the other batches.
const UPSERT_STATES_MANY = `
  INSERT INTO "ConversationState" ("userId", "flow", "data", "expiresAt", "updatedAt")
  SELECT u, f, d, e::timestamp, a::timestamp FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(u, f, d, e, a)
  ORDER BY u
  ON CONFLICT ("userId") DO UPDATE SET "flow" = excluded."flow", "data" = excluded."data", "expiresAt" = excluded."expiresAt", "updatedAt" = excluded."updatedAt"`;
// UPDATE_LANGUAGE for many users. The rows are locked in id order first (an UPDATE … FROM
// locks in join order), so two processes' overlapping batches wait instead of deadlocking.
const UPDATE_LANGUAGES_MANY = `
  WITH t AS (SELECT * FROM unnest($1::int[], $2::text[], $3::bool[], $4::text[]) AS t(id, l, e, a)),
       locked AS (SELECT "id" FROM "User" WHERE "id" IN (SELECT id FROM t) ORDER BY "id" FOR UPDATE)
  UPDATE "User" AS u SET "language" = t.l, "languageExplicit" = t.e, "updatedAt" = t.a::timestamp
  FROM t JOIN locked ON locked."id" = t.id
  WHERE u."id" = t.id`;

const SELECT_PROFILES = `SELECT "userId", "city", "latitude", "longitude", "categories" FROM "SellerProfile" WHERE "userId" = ANY($1::int[])`;
const UPSERT_PLACES_MANY = `
  INSERT INTO "SellerProfile" ("userId", "city", "latitude", "longitude", "updatedAt")
  SELECT u, c, la, lo, a::timestamp FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[], $5::text[]) AS t(u, c, la, lo, a)
  ORDER BY u
  ON CONFLICT ("userId") DO UPDATE SET "city" = excluded."city", "latitude" = excluded."latitude", "longitude" = excluded."longitude", "updatedAt" = excluded."updatedAt"`;

// SUBSCRIBE_IF_NEW for many rows, in key order like the other batches; one (user, topic) twice
// in a batch is one row (ON CONFLICT may not touch a row twice: DISTINCT keeps the first).
const SUBSCRIBE_IF_NEW_MANY = `
  INSERT INTO "Subscription" ("userId", "topic", "status", "source", "createdAt", "updatedAt")
  SELECT DISTINCT ON (u, t) u, t, 'subscribed', s, a::timestamp, a::timestamp FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS x(u, t, s, a)
  ORDER BY u, t
  ON CONFLICT ("userId", "topic") DO NOTHING
  RETURNING "userId"`;

/** `timestamp` columns hold UTC (Prisma writes them so): read them as UTC, whatever the machine's zone. */
const UTC_TIMESTAMPS = {
  getTypeParser: ((oid: number, format?: string) => (oid === 1114 ? (v: string) => new Date(`${v.replace(" ", "T")}Z`) : pgTypes.getTypeParser(oid, format as "text"))) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * A write grouped per turn like `batched`, one row per user: a row may be updated once per
 * statement, so a user's later call in the same turn wins, as it would have one statement
 * after the other.
 */
function perUserWrites<I extends { userId: number }>(write: (rows: I[]) => Promise<void>): (item: I) => Promise<void> {
  return batched(async (items: I[]) => {
    await write([...new Map(items.map((i) => [i.userId, i])).values()]);
    return items.map(() => undefined);
  });
}

/** Calls made in one turn of the event loop, run together; each caller gets its own result. */
function batched<I, O>(run: (items: I[]) => Promise<O[]>): (item: I) => Promise<O> {
  let pending: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  const flush = () => {
    const ops = pending;
    pending = [];
    run(ops.map((o) => o.item)).then(
      (out) => ops.forEach((o, i) => o.resolve(out[i]!)),
      (error: unknown) => ops.forEach((o) => o.reject(error)),
    );
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
    });
}

/** The text form Prisma's SQLite adapter writes for DateTime (iso8601 with +00:00). */
function sqliteDate(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}

function toClaim(r: Record<string, unknown>): InboxClaim {
  return { id: Number(r.id), attempts: Number(r.attempts), payload: (r.payload as string | null) ?? null };
}

function toProfileRow(r: Record<string, unknown>): SellerProfileRow {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { city: (r.city as string | null) ?? null, latitude: num(r.latitude), longitude: num(r.longitude), categories: String(r.categories ?? "") };
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
