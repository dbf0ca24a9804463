/**
 * The three statements every inbound message runs, on the driver directly (the same
 * connection or pool Prisma uses). A profile of bench/core.bench.ts showed Prisma's client
 * and query compiler taking about two thirds of the CPU on this path even for raw SQL
 * (docs/decisions/0004-core-hot-path-sql.md). Everything else goes through Prisma.
 */
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";

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

/** Hot-path statements, one implementation per provider. */
export interface HotPath {
  /** Records an inbound message id; false when it was recorded before. */
  recordInbound(channel: string, messageId: string, at: Date): Promise<boolean>;
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
const INSERT_INBOUND = `INSERT INTO "InboundMessage" ("channel", "externalMessageId", "receivedAt") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`;
const UPSERT_CHOICES = `
  INSERT INTO "ConversationState" ("userId", "choices", "updatedAt") VALUES ($1, $2, $3)
  ON CONFLICT ("userId") DO UPDATE SET "choices" = excluded."choices", "updatedAt" = excluded."updatedAt"`;
const UPDATE_LANGUAGE = `UPDATE "User" SET "language" = $1, "languageExplicit" = $2, "updatedAt" = $3 WHERE "id" = $4`;

/**
 * SQLite: prepared statements on Prisma's own better-sqlite3 connection (`client()`), so
 * there is one writer and no lock waits between two connections of one process.
 */
export function createSqliteHotPath(client: () => BetterSqlite3.Database): HotPath {
  let statements: ReturnType<typeof prepare> | undefined;
  const prepare = (db: BetterSqlite3.Database) => ({
    insert: db.prepare(INSERT_INBOUND.replace(/\$\d/g, "?")),
    select: db.prepare(SELECT_USER.replace(/\$\d/g, "?")),
    upsert: db.prepare(UPSERT_CHOICES.replace(/\$\d/g, "?")),
    language: db.prepare(UPDATE_LANGUAGE.replace(/\$\d/g, "?")),
  });
  const get = () => (statements ??= prepare(client()));
  return {
    async recordInbound(channel, messageId, at) {
      return get().insert.run(channel, messageId, sqliteDate(at)).changes > 0;
    },
    async findUser(channel, externalId) {
      const row = get().select.get(channel, externalId) as Record<string, unknown> | undefined;
      return row ? toUserRow(row) : undefined;
    },
    async rememberChoices(userId, choicesJson, at) {
      get().upsert.run(userId, choicesJson, sqliteDate(at));
    },
    async setLanguage(userId, language, explicit, at) {
      get().language.run(language, explicit ? 1 : 0, sqliteDate(at), userId);
    },
  };
}

/** PostgreSQL: the pool Prisma's adapter uses (its search_path points at the schema). */
export function createPostgresHotPath(pool: pg.Pool): HotPath {
  return {
    async recordInbound(channel, messageId, at) {
      return ((await pool.query(INSERT_INBOUND, [channel, messageId, at])).rowCount ?? 0) > 0;
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
