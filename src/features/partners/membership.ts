/**
 * Partner accounts: a partner's staff link their bot account to their partner with
 * `/partner CODE`. Each request is a row of its own (PartnerRequest) whose partner never
 * changes; every admin gets one notice per request, with buttons naming that row, so an
 * approval grants exactly the partner the notice named. Approval (in chat, or
 * `seller-bot partners approve NAME --user CHANNEL:ID`) writes the PartnerMember row, makes
 * the user's role "partner" (admins stay admins) and approves the partner in the directory.
 */
import type { AppDeps } from "../../core/context.ts";
import type { ChannelId, Lang } from "../../core/types.ts";
import type { Db } from "../../db/client.ts";
import { findPartnerByName } from "./api.ts";
import { invalidateDirectory } from "./directory.ts";
import { enqueueDirect } from "../broadcasts/api.ts";

/** What a `/partner CODE` request did. */
export type RequestResult = "requested" | "already-pending" | "already-member" | "member-elsewhere" | "too-many";

/** Requests one account may have waiting at once: each one is a notice to every admin. */
export const MAX_PENDING_REQUESTS = 3;

/** Choice data of the admin's buttons: `pt:rq:approve:<request id>`, `pt:rq:reject:<request id>`. */
export const requestChoice = (action: "approve" | "reject", requestId: number) => `pt:rq:${action}:${requestId}`;

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Records a pending request of `userId` to act for `partnerId`. A repeat of a pending
 * request is not a new one (no new notice); other pending requests stay as they are.
 */
export async function requestMembership(db: Db, userId: number, partnerId: number, now: Date): Promise<{ result: RequestResult; requestId: number | null }> {
  const member = await db.partnerMember.findUnique({ where: { userId } });
  if (member?.status === "approved") return { result: member.partnerId === partnerId ? "already-member" : "member-elsewhere", requestId: null };
  const pending = await db.partnerRequest.findMany({ where: { userId, status: "pending" }, select: { id: true, partnerId: true } });
  const same = pending.find((p) => p.partnerId === partnerId);
  if (same) return { result: "already-pending", requestId: same.id };
  if (pending.length >= MAX_PENDING_REQUESTS) return { result: "too-many", requestId: null };
  const row = await db.partnerRequest.create({ data: { userId, partnerId, status: "pending", requestedAt: now } });
  return { result: "requested", requestId: row.id };
}

/** A decided request: who asked, for which partner. */
export interface Decision {
  requestId: number;
  userId: number;
  userName: string | null;
  partnerName: string;
}

/**
 * Approves a pending request: the membership for exactly its partner, the user's role,
 * the partner's approval, and the user's other pending requests closed, in one
 * transaction. Null when the request does not exist or was already decided (two admins
 * tapping at once: the first wins).
 */
export async function approveRequest(db: Db, requestId: number, decidedBy: number | null, now: Date): Promise<Decision | null> {
  const result = await db.$transaction(async (tx) => {
    // The conditional update comes first: it decides the race, and on SQLite it takes the
    // write lock before anything is read.
    const claimed = await tx.partnerRequest.updateMany({ where: { id: requestId, status: "pending" }, data: { status: "approved", decidedAt: now, decidedBy } });
    if (claimed.count !== 1) return null;
    const request = await tx.partnerRequest.findUniqueOrThrow({ where: { id: requestId }, include: { partner: true, user: true } });
    await grant(tx, request.userId, request.partnerId, decidedBy, now, requestId);
    return { requestId, userId: request.userId, userName: request.user.displayName, partnerName: request.partner.name };
  });
  if (result) invalidateDirectory(db);
  return result;
}

/** Rejects a pending request; null when it does not exist or was already decided. */
export async function rejectRequest(db: Db, requestId: number, decidedBy: number | null, now: Date): Promise<Decision | null> {
  const claimed = await db.partnerRequest.updateMany({ where: { id: requestId, status: "pending" }, data: { status: "rejected", decidedAt: now, decidedBy } });
  if (claimed.count !== 1) return null;
  const request = await db.partnerRequest.findUniqueOrThrow({ where: { id: requestId }, include: { partner: true, user: true } });
  return { requestId, userId: request.userId, userName: request.user.displayName, partnerName: request.partner.name };
}

/** Membership, role and partner approval; the user's other pending requests are closed. */
async function grant(tx: Tx, userId: number, partnerId: number, by: number | null, now: Date, requestId: number): Promise<void> {
  await tx.partnerMember.upsert({
    where: { userId },
    create: { userId, partnerId, status: "approved", requestedAt: now, approvedAt: now, approvedBy: by },
    update: { partnerId, status: "approved", approvedAt: now, approvedBy: by },
  });
  await tx.partnerRequest.updateMany({ where: { userId, status: "pending", id: { not: requestId } }, data: { status: "closed", decidedAt: now, decidedBy: by } });
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { role: true } });
  if (user.role !== "admin") await tx.user.update({ where: { id: userId }, data: { role: "partner" } });
  await tx.partner.updateMany({ where: { id: partnerId, approved: false }, data: { approved: true } });
}

/**
 * The CLI's approval, by partner name and the user's channel identity: approves the
 * user's pending request for that partner, or records an approved one.
 */
export async function approveMemberByIdentity(db: Db, partnerName: string, channel: string, externalId: string): Promise<{ ok: true; partner: string; decision: Decision | null } | { ok: false; error: string }> {
  const partner = await findPartnerByName(db, partnerName);
  if (!partner) return { ok: false, error: `No partner named "${partnerName}".` };
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel, externalId } } });
  if (!identity) return { ok: false, error: `No bot user ${channel}:${externalId} yet: they must message the bot first (for example "/partner ${partner.code}").` };
  const now = new Date();
  const pending = await db.partnerRequest.findFirst({ where: { userId: identity.userId, partnerId: partner.id, status: "pending" }, select: { id: true } });
  const requestId = pending?.id ?? (await db.partnerRequest.create({ data: { userId: identity.userId, partnerId: partner.id, status: "pending", requestedAt: now } })).id;
  // Decided by someone else a moment ago: theirs stands, and this one records nothing new.
  const decision = await approveRequest(db, requestId, null, now);
  return { ok: true, partner: partner.name, decision };
}

/**
 * Takes a partner account away (`partners revoke --user CHANNEL:ID`: staff who left the
 * agency): the membership goes, the role goes back to seller (admins stay admins), pending
 * requests close and unused group link codes they asked for expire, in one transaction.
 */
export async function revokeMemberByIdentity(db: Db, channel: string, externalId: string, now: Date): Promise<{ ok: true; partner: string } | { ok: false; error: string }> {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel, externalId } } });
  const member = identity ? await db.partnerMember.findUnique({ where: { userId: identity.userId }, include: { partner: true } }) : null;
  if (!identity || !member || member.status !== "approved") return { ok: false, error: `${channel}:${externalId} is not a partner account.` };
  const userId = identity.userId;
  await db.$transaction(async (tx) => {
    await tx.partnerMember.delete({ where: { userId } });
    await tx.partnerRequest.updateMany({ where: { userId, status: "pending" }, data: { status: "closed", decidedAt: now } });
    await tx.groupLinkCode.updateMany({ where: { userId, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
    await tx.user.updateMany({ where: { id: userId, role: "partner" }, data: { role: "seller" } });
  });
  return { ok: true, partner: member.partner.name };
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

/** Tells the requester how an admin decided (in chat or on the dashboard); best effort, never throws. */
export async function notifyRequester(deps: AppDeps, decision: Decision, action: "approve" | "reject"): Promise<number> {
  const key = action === "approve" ? "partners:member.youApproved" : "partners:member.youRejected";
  return sendToUser(deps, decision.userId, (lang) => ({ text: deps.i18n.t(lang)(key, { partner: decision.partnerName }) })).catch(() => 0);
}

/** Asks every admin to approve one pending request (buttons / numbered choices naming it). */
export async function notifyAdminsOfRequest(deps: AppDeps, requestId: number, requester: { id: number; name: string | null }, partner: { name: string; code: string }): Promise<number> {
  const admins = await deps.db.user.findMany({ where: { role: "admin" }, select: { id: true } });
  let sent = 0;
  for (const admin of admins) {
    sent += await sendToUser(deps, admin.id, (lang) => {
      const t = deps.i18n.t(lang);
      return {
        text: t("partners:member.adminRequest", { user: requester.name ?? `#${requester.id}`, partner: partner.name, code: partner.code }),
        choices: [
          { data: requestChoice("approve", requestId), label: t("partners:member.approveButton", { partner: partner.name }) },
          { data: requestChoice("reject", requestId), label: t("partners:member.rejectButton") },
        ],
      };
    });
  }
  return sent;
}

/**
 * Tells the requester how it was decided through the outbox: for the CLI, which runs no
 * channel itself; the running bot delivers it. Once per request (dedupe key).
 */
export async function queueDecisionNotice(deps: AppDeps, decision: Decision, action: "approve" | "reject"): Promise<number> {
  const key = action === "approve" ? "partners:member.youApproved" : "partners:member.youRejected";
  const text = Object.fromEntries((["en", "ur", "ur-Latn"] as const).map((l) => [l, deps.i18n.t(l)(key, { partner: decision.partnerName })])) as Record<Lang, string>;
  return enqueueDirect(deps, [{ userId: decision.userId, kind: "notice", dedupeKey: `ptreq:${decision.requestId}:${action}`, content: { text }, respectOptOut: false }]);
}
