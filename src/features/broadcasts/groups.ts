/**
 * Telegram groups linked to partners. The bot, added to a group, explains the steps; a
 * partner member asks the bot in private for a one-time code (/linkcode) and sends
 * "/link CODE" in the group. The code proves the sender acts for that partner without the
 * bot needing to know who the group's admins are (docs/decisions/0402-group-linking.md).
 */
import { randomInt } from "node:crypto";
import type { Db } from "../../db/client.ts";
import type { ChannelId, Lang } from "../../core/types.ts";

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

/** Records that the bot is in a group (added again after removal clears removedAt). */
export async function groupAdded(db: Db, channel: ChannelId, chatId: string, title: string): Promise<void> {
  await db.linkedGroup.upsert({
    where: { channel_chatId: { channel, chatId } },
    create: { channel, chatId, title: title.slice(0, 200) },
    update: { title: title.slice(0, 200), removedAt: null },
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

/**
 * Uses a code in a group: links the group to the code's partner. Returns the partner id,
 * or null when the code is unknown, used or expired. The code is spent atomically.
 */
export async function linkGroup(
  db: Db,
  group: { channel: ChannelId; chatId: string; title: string },
  code: string,
  user: { id: number; lang: Lang },
  now: Date,
): Promise<number | null> {
  const wanted = code.trim().toUpperCase();
  if (!/^[A-Z0-9]{4,12}$/.test(wanted)) return null;
  return db.$transaction(async (tx) => {
    const spent = await tx.groupLinkCode.updateMany({ where: { code: wanted, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (spent.count !== 1) return null;
    const row = await tx.groupLinkCode.findUniqueOrThrow({ where: { code: wanted } });
    const data = { partnerId: row.partnerId, linkedAt: now, linkedBy: user.id, language: user.lang, removedAt: null, title: group.title.slice(0, 200) };
    await tx.linkedGroup.upsert({ where: { channel_chatId: { channel: group.channel, chatId: group.chatId } }, create: { channel: group.channel, chatId: group.chatId, ...data }, update: data });
    return row.partnerId;
  });
}
