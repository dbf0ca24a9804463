/**
 * Partner accounts: a partner's staff link their bot account to their partner with
 * `/partner CODE`; this makes a pending request that an admin approves (a choice sent to
 * every admin, or `seller-bot partners approve NAME --user CHANNEL:ID`). Approval makes the
 * user's role "partner" (admins stay admins) and approves the partner in the directory.
 */
import type { AppDeps } from "../../core/context.ts";
import type { ChannelId, Lang } from "../../core/types.ts";
import type { Db } from "../../db/client.ts";
import { findPartnerByName } from "./api.ts";
import { invalidateDirectory } from "./directory.ts";

/** What a `/partner CODE` request did. */
export type RequestResult = "requested" | "already-pending" | "already-member" | "member-elsewhere";

/** Records a pending membership of `userId` in `partnerId` (replacing another pending one). */
export async function requestMembership(db: Db, userId: number, partnerId: number, now: Date): Promise<{ result: RequestResult; memberId: number }> {
  const current = await db.partnerMember.findUnique({ where: { userId } });
  if (current?.status === "approved") return { result: current.partnerId === partnerId ? "already-member" : "member-elsewhere", memberId: current.id };
  if (current && current.partnerId === partnerId) return { result: "already-pending", memberId: current.id };
  const row = await db.partnerMember.upsert({
    where: { userId },
    create: { userId, partnerId, status: "pending", requestedAt: now },
    update: { partnerId, status: "pending", requestedAt: now, approvedAt: null, approvedBy: null },
  });
  return { result: "requested", memberId: row.id };
}

/** Approves a membership (transaction: member, user role, partner approval). */
export async function approveMember(db: Db, memberId: number, approvedBy: number | null, now: Date): Promise<{ userId: number; partnerName: string } | null> {
  const result = await db.$transaction(async (tx) => {
    const member = await tx.partnerMember.findUnique({ where: { id: memberId }, include: { partner: true, user: true } });
    if (!member) return null;
    await tx.partnerMember.update({ where: { id: memberId }, data: { status: "approved", approvedAt: now, approvedBy } });
    if (member.user.role !== "admin") await tx.user.update({ where: { id: member.userId }, data: { role: "partner" } });
    if (!member.partner.approved) await tx.partner.update({ where: { id: member.partnerId }, data: { approved: true } });
    return { userId: member.userId, partnerName: member.partner.name };
  });
  invalidateDirectory(db);
  return result;
}

/** Rejects (deletes) a pending membership; an approved one is left alone. */
export async function rejectMember(db: Db, memberId: number): Promise<{ userId: number; partnerName: string } | null> {
  const member = await db.partnerMember.findUnique({ where: { id: memberId }, include: { partner: true } });
  if (!member || member.status !== "pending") return null;
  await db.partnerMember.delete({ where: { id: memberId } });
  return { userId: member.userId, partnerName: member.partner.name };
}

/** The CLI's approval: by partner name and the user's channel identity. */
export async function approveMemberByIdentity(db: Db, partnerName: string, channel: string, externalId: string): Promise<{ ok: true; partner: string } | { ok: false; error: string }> {
  const partner = await findPartnerByName(db, partnerName);
  if (!partner) return { ok: false, error: `No partner named "${partnerName}".` };
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel, externalId } } });
  if (!identity) return { ok: false, error: `No bot user ${channel}:${externalId} yet: they must message the bot first (for example "/partner ${partner.code}").` };
  const member = await db.partnerMember.upsert({
    where: { userId: identity.userId },
    create: { userId: identity.userId, partnerId: partner.id, status: "pending" },
    update: { partnerId: partner.id },
  });
  await approveMember(db, member.id, null, new Date());
  return { ok: true, partner: partner.name };
}

/** Sends a message to every identity of a user on running channels; best effort. */
export async function sendToUser(deps: AppDeps, userId: number, build: (lang: Lang) => { text: string; choices?: Array<{ data: string; label: string }> }): Promise<number> {
  const user = await deps.db.user.findUnique({ where: { id: userId }, include: { identities: true } });
  if (!user) return 0;
  const lang = (["en", "ur", "ur-Latn"] as const).find((l) => l === user.language) ?? "en";
  let sent = 0;
  for (const identity of user.identities) {
    const channel = identity.channel as ChannelId;
    if (identity.blockedAt || !deps.messenger.capabilities(channel)) continue;
    try {
      await deps.messenger.send({ channel, chatId: identity.externalId, userId, lang }, build(lang));
      sent++;
    } catch (error) {
      deps.log.warn({ err: error, userId }, "partners: notice failed");
    }
  }
  return sent;
}

/** Asks every admin to approve a pending membership (buttons / numbered choices). */
export async function notifyAdminsOfRequest(deps: AppDeps, memberId: number, requester: { id: number; name: string | null }, partner: { name: string; code: string }): Promise<number> {
  const admins = await deps.db.user.findMany({ where: { role: "admin" }, select: { id: true } });
  let sent = 0;
  for (const admin of admins) {
    sent += await sendToUser(deps, admin.id, (lang) => {
      const t = deps.i18n.t(lang);
      return {
        text: t("partners:member.adminRequest", { user: requester.name ?? `#${requester.id}`, partner: partner.name, code: partner.code }),
        choices: [
          { data: `pt:approve:${memberId}`, label: t("partners:member.approveButton") },
          { data: `pt:reject:${memberId}`, label: t("partners:member.rejectButton") },
        ],
      };
    });
  }
  return sent;
}
