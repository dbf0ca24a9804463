/** Shared helpers for the progress tests: users by sender id, partners, a settable clock. */
import type { Db } from "../../src/db/client.ts";
import type { TestApp } from "../support/app.ts";

/** A clock tests can move. */
export function createClock(start?: string) {
  // Defaults to the real time: the core checks flow expiry against the wall clock.
  let now = start ? new Date(start) : new Date();
  return { now: () => new Date(now), set: (iso: string) => void (now = new Date(iso)), advanceDays: (d: number) => void (now = new Date(now.getTime() + d * 86_400_000)) };
}

/** The user id behind a console sender id (creating the user by greeting the bot). */
export async function userIdOf(t: TestApp, senderId: string, displayName?: string): Promise<number> {
  const found = await t.database.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "console", externalId: senderId } } });
  if (found) return found.userId;
  await t.send("hello", { id: senderId, displayName });
  return (await t.database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "console", externalId: senderId } } })).userId;
}

let partnerSeq = 0;

/** Creates an approved partner with one approved member account (sender id `memberSender`). */
export async function createPartner(t: TestApp, memberSender: string, city = "Sialkot"): Promise<{ partnerId: number; memberId: number }> {
  partnerSeq += 1;
  const db: Db = t.database.prisma;
  const partner = await db.partner.create({ data: { name: `Test Partner ${partnerSeq} ${memberSender}`, code: `tp${partnerSeq}${memberSender}`.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 30), city, latitude: 32.5, longitude: 74.5, approved: true } });
  const memberId = await userIdOf(t, memberSender);
  await db.user.update({ where: { id: memberId }, data: { role: "partner" } });
  await db.partnerMember.create({ data: { userId: memberId, partnerId: partner.id, status: "approved" } });
  return { partnerId: partner.id, memberId };
}

/** Assigns a seller to a partner directly (the partners feature does this in chat). */
export async function assign(t: TestApp, sellerId: number, partnerId: number): Promise<void> {
  await t.database.prisma.sellerAssignment.upsert({ where: { sellerId }, create: { sellerId, partnerId }, update: { partnerId } });
}

/** All reply texts joined. */
export const texts = (replies: Array<{ text: string }>) => replies.map((r) => r.text).join("\n---\n");
