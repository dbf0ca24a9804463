/**
 * Finding or creating the user behind an inbound message, and their conversation state.
 */
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Database, Db } from "../db/client.ts";
import type { UserRow } from "../db/hot-path.ts";
import type { UserRecord } from "./context.ts";
import { detectLanguage, langFromHint } from "./language.ts";
import { sanitizeText } from "./text.ts";
import type { ChannelId, Choice, InboundMessage, Lang } from "./types.ts";

const roleSchema = z.enum(["seller", "partner", "admin"]).catch("seller");
const langSchema = z.enum(["en", "ur", "ur-Latn"]).catch("en");
const choicesSchema = z.array(z.object({ data: z.string(), label: z.string() })).catch([]);

/** The user row and their stored state, as loaded for one message. */
export interface LoadedUser {
  user: UserRecord;
  state: { flow: string | null; data: unknown; choices: Choice[] };
}

/** Validates a user row read back from the database. */
export function toUserRecord(row: { id: number; role: string; language: string; languageExplicit: boolean; displayName: string | null }): UserRecord {
  return { id: row.id, role: roleSchema.parse(row.role), language: langSchema.parse(row.language), languageExplicit: row.languageExplicit, displayName: row.displayName };
}

/** Finds the user for (channel, sender id or one of its aliases) or creates them; flows past their expiry (by `now`) are dropped. */
export async function loadOrCreateUser(database: Database, config: Config, message: InboundMessage, now: Date): Promise<LoadedUser> {
  const db = database.prisma;
  const ids = [message.sender.id, ...(message.sender.aliases ?? [])];
  let row = await database.hot.findUser(message.channel, message.sender.id);
  if (!row && ids.length > 1) {
    const alias = await db.channelIdentity.findFirst({ where: { channel: message.channel, externalId: { in: ids } } });
    if (alias) row = await database.hot.findUser(message.channel, alias.externalId);
  }
  if (!row) {
    // The same phone number on the other WhatsApp channel is the same person: join them.
    const same = await samePersonElsewhere(db, message.channel, ids);
    if (same !== undefined) {
      await linkAliases(db, message.channel, same, [message.sender.id, ...ids]);
      row = await database.hot.findUser(message.channel, message.sender.id);
    }
  }
  if (!row) {
    row = await createUser(database, config, message).catch(async (error: unknown) => {
      // Another process created the same identity a moment ago: use theirs.
      if (!isUniqueViolation(error)) throw error;
      return database.hot.findUser(message.channel, message.sender.id);
    });
    if (!row) throw new Error("user vanished right after creation");
  }
  if (ids.length > 1) await linkAliases(db, message.channel, row.id, ids);
  if (row.blockedAt && message.content.kind !== "event") {
    // Writing to the bot again means they unblocked it.
    await db.channelIdentity.update({ where: { id: row.identityId }, data: { blockedAt: null } });
  }
  const expired = row.expiresAt ? row.expiresAt.getTime() < now.getTime() : false;
  return {
    user: toUserRecord(row),
    state: {
      flow: expired ? null : row.flow,
      data: expired ? {} : parseJson(row.data ?? undefined),
      choices: choicesSchema.parse(parseJson(row.choices ?? undefined)),
    },
  };
}

/**
 * On the driver (hot path): a first message costs one statement here, not Prisma's nested
 * create, and the new user's row is built from what was written instead of read back.
 */
async function createUser(database: Database, config: Config, message: InboundMessage): Promise<UserRow> {
  const text = message.content.kind === "text" ? message.content.text : "";
  const detected = detectLanguage(text);
  const language: Lang = detected.confident ? detected.lang : (langFromHint(message.sender.languageHint) ?? detected.lang);
  const isAdmin = config.admins.some((a) => a.channel === message.channel && a.externalId === message.sender.id);
  const user = { role: isAdmin ? "admin" : "seller", language, displayName: cleanText(message.sender.displayName ?? "", 100) || null };
  const { userId, identityId } = await database.hot.createUser({ channel: message.channel, externalId: message.sender.id, ...user, at: new Date() });
  return { id: userId, ...user, languageExplicit: false, identityId, blockedAt: null, flow: null, data: null, choices: null, expiresAt: null };
}

/**
 * Makes `admins` (SELLER_BOT_ADMINS) the one source of admin rights: users with a listed
 * identity become admins, and admins with none lose the role (they become "partner" again
 * when they are an approved partner member, else "seller"). Run when a bot process starts;
 * users not yet known get the role when they first write (createUser).
 */
export async function syncAdmins(db: Db, admins: Config["admins"]): Promise<{ granted: number; revoked: number }> {
  const listed = admins.length
    ? await db.channelIdentity.findMany({ where: { OR: admins.map((a) => ({ channel: a.channel, externalId: a.externalId })) }, select: { userId: true } })
    : [];
  const ids = [...new Set(listed.map((i) => i.userId))];
  const granted = ids.length ? (await db.user.updateMany({ where: { id: { in: ids }, role: { not: "admin" } }, data: { role: "admin" } })).count : 0;
  const stale = await db.user.findMany({ where: { role: "admin", id: { notIn: ids } }, select: { id: true, partnerMember: { select: { status: true } } } });
  for (const user of stale) {
    await db.user.update({ where: { id: user.id }, data: { role: user.partnerMember?.status === "approved" ? "partner" : "seller" } });
  }
  return { granted, revoked: stale.length };
}

/**
 * The identities on other channels that are the same phone number: a WhatsApp Cloud API
 * `wa_id` ("923001234567") and a Baileys phone JID ("923001234567@s.whatsapp.net") name
 * one person (docs/decisions/0706-whatsapp-cloud-channel-and-identity.md). Telegram ids
 * carry no phone number, so nothing maps to them.
 */
export function samePhoneIdentities(channel: ChannelId, externalId: string): Array<{ channel: ChannelId; externalId: string }> {
  if (channel === "whatsapp-cloud" && /^\d{6,15}$/.test(externalId)) return [{ channel: "whatsapp", externalId: `${externalId}@s.whatsapp.net` }];
  const jid = channel === "whatsapp" ? /^(\d{6,15})(?::\d+)?@s\.whatsapp\.net$/.exec(externalId) : null;
  if (jid) return [{ channel: "whatsapp-cloud", externalId: jid[1]! }];
  return [];
}

/** The user who already has one of `ids`' phone numbers on another channel, if any. */
async function samePersonElsewhere(db: Db, channel: ChannelId, ids: string[]): Promise<number | undefined> {
  const others = ids.flatMap((id) => samePhoneIdentities(channel, id));
  if (others.length === 0) return undefined;
  const found = await db.channelIdentity.findFirst({ where: { OR: others }, select: { userId: true }, orderBy: { id: "asc" } });
  return found?.userId;
}

/** Records other ids of the same person (WhatsApp phone JID and LID) against one user. */
async function linkAliases(db: Db, channel: ChannelId, userId: number, ids: string[]): Promise<void> {
  ids = [...new Set(ids)];
  const known = await db.channelIdentity.findMany({ where: { channel, externalId: { in: ids } }, select: { externalId: true } });
  const missing = ids.filter((id) => !known.some((k) => k.externalId === id));
  for (const externalId of missing) {
    await db.channelIdentity.create({ data: { channel, externalId, userId } }).catch((e: unknown) => {
      if (!isUniqueViolation(e)) throw e;
    });
  }
}

/**
 * Text from a platform that is stored (a person's or a group's name): {@link sanitizeText}
 * as for messages (control characters, which PostgreSQL refuses as NUL, bidi overrides,
 * lone surrogates), on one line, cut to `max` characters without splitting one.
 */
export function cleanText(value: string, max: number): string {
  const text = sanitizeText(value).replace(/\s+/g, " ");
  const chars = Array.from(text);
  return chars.length > max ? chars.slice(0, max).join("").trimEnd() : text;
}

/** True for Prisma's unique-constraint error (P2002). */
export function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;
  // Prisma's, PostgreSQL's (through pg) and SQLite's (through better-sqlite3).
  return code === "P2002" || code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

function parseJson(text: string | undefined): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
