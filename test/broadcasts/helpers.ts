/** Test helpers for the broadcasts feature: users, partners and profiles written directly. */
import type { Db } from "../../src/db/client.ts";

let seq = 0;

/** A partner row (approved, active). */
export async function makePartner(db: Db, name = `Partner ${++seq}`) {
  return db.partner.create({ data: { name, code: `p${++seq}${Math.random().toString(36).slice(2, 6)}`, city: "Sialkot", latitude: 32.49, longitude: 74.53, approved: true } });
}

/** A user with one channel identity, optionally subscribed, with a seller profile and partner. */
export async function makeUser(
  db: Db,
  options: {
    channel?: string;
    externalId?: string;
    role?: string;
    language?: string;
    subscription?: "subscribed" | "opted-out" | "asked" | null;
    city?: string;
    latitude?: number;
    longitude?: number;
    categories?: string;
    assignedTo?: number;
    memberOf?: number;
    blocked?: boolean;
  } = {},
) {
  const n = ++seq;
  const user = await db.user.create({
    data: {
      role: options.role ?? (options.memberOf ? "partner" : "seller"),
      language: options.language ?? "en",
      identities: { create: { channel: options.channel ?? "telegram", externalId: options.externalId ?? `ext${n}`, blockedAt: options.blocked ? new Date() : null } },
    },
  });
  if (options.subscription !== null) {
    await db.subscription.create({ data: { userId: user.id, topic: "events", status: options.subscription ?? "subscribed" } });
  }
  if (options.city || options.latitude !== undefined || options.categories) {
    await db.sellerProfile.create({ data: { userId: user.id, city: options.city ?? null, latitude: options.latitude ?? null, longitude: options.longitude ?? null, categories: options.categories ?? "" } });
  }
  if (options.assignedTo) await db.sellerAssignment.create({ data: { sellerId: user.id, partnerId: options.assignedTo } });
  if (options.memberOf) await db.partnerMember.create({ data: { userId: user.id, partnerId: options.memberOf, status: "approved" } });
  return user;
}

/** Content in three languages. */
export function content(text = "Summit in Sialkot on 20 Dec") {
  return { text: { en: `EN ${text}`, ur: `UR ${text}`, "ur-Latn": `RU ${text}` } };
}
