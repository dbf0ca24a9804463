/**
 * The partners feature's API for other features (cross-feature contract, docs/team-brief.md).
 * Progress, broadcasts and events call these; keep the signatures stable.
 */
import type { AppDeps } from "../../core/context.ts";
import type { Db } from "../../db/client.ts";
import { notifyPartnerOfAssignment } from "./notify.ts";

export { contactLinks, contactText, type ContactLink } from "./contact.ts";

/** A partner row as stored (Prisma's type). */
export type PartnerRow = NonNullable<Awaited<ReturnType<Db["partner"]["findUnique"]>>>;

/**
 * The partner a user acts for: set only once an admin approved their membership
 * (a pending `/partner <code>` request returns null).
 */
export async function partnerIdOfMember(db: Db, userId: number): Promise<number | null> {
  const member = await db.partnerMember.findUnique({ where: { userId }, select: { partnerId: true, status: true } });
  return member?.status === "approved" ? member.partnerId : null;
}

/** The partner a seller picked, or null. */
export async function assignedPartnerId(db: Db, sellerId: number): Promise<number | null> {
  const row = await db.sellerAssignment.findUnique({ where: { sellerId }, select: { partnerId: true } });
  return row?.partnerId ?? null;
}

/**
 * Makes `partnerId` the seller's partner (replacing any previous one) and tells the
 * partner's approved member accounts. The notice is best effort: it never throws (a
 * partner offline or no channel running must not fail the seller's reply).
 * Returns the partner, or null when it does not exist or is not active and approved.
 */
export async function assignPartner(deps: AppDeps, sellerId: number, partnerId: number): Promise<PartnerRow | null> {
  const partner = await deps.db.partner.findUnique({ where: { id: partnerId } });
  if (!partner || !partner.active || !partner.approved) return null;
  const previous = await assignedPartnerId(deps.db, sellerId);
  const assignedAt = deps.now();
  await deps.db.sellerAssignment.upsert({
    where: { sellerId },
    create: { sellerId, partnerId, assignedAt },
    update: { partnerId, assignedAt },
  });
  if (previous !== partnerId) await notifyPartnerOfAssignment(deps, partner, sellerId).catch(() => undefined);
  return partner;
}

/** A partner by its exact name (names are unique), else case-insensitively, or null. */
export async function findPartnerByName(db: Db, name: string): Promise<PartnerRow | null> {
  const wanted = name.trim();
  if (!wanted) return null;
  const exact = await db.partner.findUnique({ where: { name: wanted } });
  if (exact) return exact;
  // lower() is the same on SQLite and PostgreSQL for the ASCII names partners use; the
  // tagged template lets Prisma write each database's placeholder.
  const rows = await db.$queryRaw<Array<{ id: number }>>`SELECT "id" FROM "Partner" WHERE lower("name") = lower(${wanted}) ORDER BY "id" LIMIT 1`;
  return rows[0] ? db.partner.findUnique({ where: { id: Number(rows[0].id) } }) : null;
}

/** A partner by its deep-link code (case-insensitive), or null. */
export async function findPartnerByCode(db: Db, code: string): Promise<PartnerRow | null> {
  const normal = code.trim().toLowerCase();
  if (!/^[a-z0-9_-]{1,32}$/.test(normal)) return null;
  return db.partner.findUnique({ where: { code: normal } });
}
