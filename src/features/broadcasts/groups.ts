/**
 * Telegram groups linked to partners. The bot, added to a group, explains the steps; a
 * partner member asks the bot in private for a one-time code (/linkcode) and sends
 * "/link CODE" in the group. The code proves the sender acts for that partner without the
 * bot needing to know who the group's admins are (docs/decisions/0402-group-linking.md).
 */
import { randomInt } from "node:crypto";
import type { Db } from "../../db/client.ts";
import type { ChannelId, Lang } from "../../core/types.ts";
import { cleanText } from "../../core/users.ts";

/** How long a link code is valid. */
export const LINK_CODE_MINUTES = 30;

// No 0/O, 1/I/L: codes are read off one phone and typed on another.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** Issues a one-time code for a partner member. */
export async function issueLinkCode(db: Db, partnerId: number, userId: number, now: Date): Promise<string> {
  for (;;) {
    const code = Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
    const clash = await db.groupLinkCode.findUnique({ where: { code } });
    if (clash) continue;
    await db.groupLinkCode.create({ data: { code, partnerId, userId, expiresAt: new Date(now.getTime() + LINK_CODE_MINUTES * 60_000) } });
    return code;
  }
}

/** A group's title as stored: the platform's text without control characters (PostgreSQL refuses NUL), ≤ 200 characters. */
function cleanTitle(title: string): string {
  return cleanText(title, 200);
}

/** Records that the bot is in a group (added again after removal clears removedAt). */
export async function groupAdded(db: Db, channel: ChannelId, chatId: string, title: string): Promise<void> {
  await db.linkedGroup.upsert({
    where: { channel_chatId: { channel, chatId } },
    create: { channel, chatId, title: cleanTitle(title) },
    update: { title: cleanTitle(title), removedAt: null },
  });
}

/** The bot left or was removed: the group is unlinked and its pending messages cancelled. */
export async function groupRemoved(db: Db, channel: ChannelId, chatId: string, now: Date): Promise<void> {
  const group = await db.linkedGroup.findUnique({ where: { channel_chatId: { channel, chatId } } });
  if (!group) return;
  await db.$transaction([
    db.linkedGroup.update({ where: { id: group.id }, data: { partnerId: null, removedAt: now } }),
    db.outboxMessage.updateMany({ where: { groupId: group.id, status: "pending" }, data: { status: "cancelled" } }),
  ]);
}

/** What `/link CODE` did. */
export type LinkResult = { ok: true; partnerId: number } | { ok: false; reason: "bad-code" | "linked-elsewhere" };

/**
 * Uses a code in a group: links the group to the code's partner. Refused when the code is
 * unknown, used or expired, or when the group is linked to another partner: a linked
 * group moves only after its partner (or an admin) unlinks it, or when an admin links it
 * (`byAdmin`). A refused code is not spent; a used one is spent atomically.
 */
export async function linkGroup(
  db: Db,
  group: { channel: ChannelId; chatId: string; title: string },
  code: string,
  user: { id: number; lang: Lang; byAdmin?: boolean },
  now: Date,
): Promise<LinkResult> {
  const wanted = code.trim().toUpperCase();
  if (!/^[A-Z0-9]{4,12}$/.test(wanted)) return { ok: false, reason: "bad-code" };
  return db.$transaction(async (tx): Promise<LinkResult> => {
    // Spending first decides a race between two uses of one code (and takes SQLite's write lock).
    const spent = await tx.groupLinkCode.updateMany({ where: { code: wanted, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (spent.count !== 1) return { ok: false, reason: "bad-code" };
    const row = await tx.groupLinkCode.findUniqueOrThrow({ where: { code: wanted } });
    const where = { channel_chatId: { channel: group.channel, chatId: group.chatId } };
    const current = await tx.linkedGroup.findUnique({ where, select: { partnerId: true } });
    if (current?.partnerId != null && current.partnerId !== row.partnerId && !user.byAdmin) {
      await tx.groupLinkCode.update({ where: { code: wanted }, data: { usedAt: null } });
      return { ok: false, reason: "linked-elsewhere" };
    }
    const data = { partnerId: row.partnerId, linkedAt: now, linkedBy: user.id, language: user.lang, removedAt: null, title: cleanTitle(group.title) };
    await tx.linkedGroup.upsert({ where, create: { channel: group.channel, chatId: group.chatId, ...data }, update: data });
    return { ok: true, partnerId: row.partnerId };
  });
}

/**
 * A group got a new chat id (Telegram upgrades a group to a supergroup): the linked group
 * and its announcements not yet sent move to the new id. Idempotent: Telegram says it twice
 * (in the old chat and in the new one), and the outbox may learn it from a refused send
 * first. Returns the group's row id under the new chat id, or undefined when no group was
 * stored under either id.
 */
export async function migrateGroup(db: Db, channel: ChannelId, fromChatId: string, toChatId: string, now: Date): Promise<number | undefined> {
  if (fromChatId === toChatId) return undefined;
  return db.$transaction(async (tx) => {
    const old = await tx.linkedGroup.findUnique({ where: { channel_chatId: { channel, chatId: fromChatId } } });
    const current = await tx.linkedGroup.findUnique({ where: { channel_chatId: { channel, chatId: toChatId } } });
    if (!old) return current?.id;
    const unsent = { groupId: old.id, status: { in: ["pending", "sending"] } };
    if (!current) {
      await tx.linkedGroup.update({ where: { id: old.id }, data: { chatId: toChatId } });
      await tx.outboxMessage.updateMany({ where: unsent, data: { chatId: toChatId } });
      return old.id;
    }
    // Both ids are stored (the bot saw the new supergroup before the notice). A link on the
    // new row wins; otherwise the old row's link moves to it. The old chat no longer exists.
    if (current.partnerId === null && old.partnerId !== null) {
      const { partnerId, language, linkedAt, linkedBy } = old;
      await tx.linkedGroup.update({ where: { id: current.id }, data: { partnerId, language, linkedAt, linkedBy, removedAt: null } });
    }
    await tx.linkedGroup.update({ where: { id: old.id }, data: { partnerId: null, removedAt: now } });
    // Rows are unique per broadcast and recipient ("g:<id>"), so the old row's unsent ones
    // cannot all be moved onto the other row: they are cancelled, and say why.
    await tx.outboxMessage.updateMany({ where: unsent, data: { status: "cancelled", lastError: `group moved to chat ${toChatId}` } });
    return current.id;
  });
}
