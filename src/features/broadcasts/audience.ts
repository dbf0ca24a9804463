/**
 * Who an audience is: subscribed users (on one channel each) and linked groups.
 * Filtering by city, radius and category happens in code over the subscribed users: the
 * spelling-tolerant city match and the distance do not translate to portable SQL, and the
 * subscriber list of this programme is tens of thousands at most.
 */
import type { Db } from "../../db/client.ts";
import type { ChannelId } from "../../core/types.ts";
import { SUB } from "./subscriptions.ts";
import type { Audience } from "./types.ts";
import { haversineKm } from "../partners/gazetteer.ts";

/** One outbox recipient: a user on one channel, or a group. */
export interface Recipient {
  /** "u:<userId>" or "g:<groupId>" */
  recipient: string;
  userId?: number;
  groupId?: number;
  channel: ChannelId;
  chatId: string;
}

/**
 * Channels in the order a user is reached on (Telegram is fast and free; the WhatsApp Cloud
 * API is the official way to announce on WhatsApp; Baileys is capped and risks the number).
 */
const CHANNEL_PREFERENCE: ChannelId[] = ["telegram", "whatsapp-cloud", "whatsapp", "console"];

/** A user's identity to send on: the preferred channel that has not blocked the bot. */
export function pickIdentity(identities: Array<{ channel: string; externalId: string; blockedAt: Date | null }>): { channel: ChannelId; chatId: string } | null {
  for (const channel of CHANNEL_PREFERENCE) {
    const identity = identities.find((i) => i.channel === channel && !i.blockedAt);
    if (identity) return { channel, chatId: identity.externalId };
  }
  return null;
}

/**
 * Resolves an audience. `onlyPartner` restricts users to that partner's assigned sellers
 * (a partner sending a city or category announcement reaches only their own sellers).
 */
export async function resolveAudience(db: Db, audience: Audience, topic: string, onlyPartner: number | null): Promise<Recipient[]> {
  const partnerFilter = audience.kind === "partner" ? audience.partnerId : onlyPartner;
  const subs = await db.subscription.findMany({
    where: { topic, status: SUB.subscribed, ...(partnerFilter !== null ? { user: { sellerAssignment: { partnerId: partnerFilter } } } : {}) },
    select: {
      userId: true,
      user: {
        select: {
          identities: { select: { channel: true, externalId: true, blockedAt: true } },
          sellerProfile: { select: { city: true, latitude: true, longitude: true, categories: true } },
        },
      },
    },
    orderBy: { userId: "asc" },
  });
  const matches = matcher(audience);
  const out: Recipient[] = [];
  for (const s of subs) {
    if (!matches(s.user.sellerProfile)) continue;
    const identity = pickIdentity(s.user.identities);
    if (identity) out.push({ recipient: `u:${s.userId}`, userId: s.userId, ...identity });
  }
  for (const g of await groupsFor(db, audience, onlyPartner)) {
    out.push({ recipient: `g:${g.id}`, groupId: g.id, channel: g.channel as ChannelId, chatId: g.chatId });
  }
  return out;
}

/** Linked groups: a partner's own for a partner audience; every linked group for "all" (admins). */
async function groupsFor(db: Db, audience: Audience, onlyPartner: number | null) {
  if (audience.kind === "partner") return db.linkedGroup.findMany({ where: { partnerId: audience.partnerId, removedAt: null } });
  if (audience.kind === "all" && onlyPartner === null) return db.linkedGroup.findMany({ where: { partnerId: { not: null }, removedAt: null } });
  return [];
}

type Profile = { city: string | null; latitude: number | null; longitude: number | null; categories: string } | null;

function matcher(audience: Audience): (p: Profile) => boolean {
  switch (audience.kind) {
    case "all":
    case "partner":
      return () => true;
    case "city": {
      const wanted = cityKey(audience.city);
      return (p) => Boolean(p?.city) && sameCity(cityKey(p!.city!), wanted);
    }
    case "radius":
      return (p) => p?.latitude != null && p.longitude != null && haversineKm(audience.latitude, audience.longitude, p.latitude, p.longitude) <= audience.km;
    case "category": {
      const wanted = categoryKey(audience.category);
      return (p) => (p?.categories ?? "").split(";").map(categoryKey).some((c) => c !== "" && (c === wanted || c.includes(wanted) || wanted.includes(c)));
    }
  }
}

// Other names people type for the same city (old names, short forms, Urdu script).
const CITY_ALIASES: Record<string, string> = {
  lyallpur: "faisalabad", fsd: "faisalabad", faisalabad: "faisalabad", "فیصلآباد": "faisalabad",
  khi: "karachi", "کراچی": "karachi", lhr: "lahore", "لاہور": "lahore", "لاهور": "lahore",
  "سیالکوٹ": "sialkot", sialkot: "sialkot", "گوجرانوالہ": "gujranwala", "گوجرانوالا": "gujranwala",
  isb: "islamabad", "اسلامآباد": "islamabad", pindi: "rawalpindi", "راولپنڈی": "rawalpindi",
  "ملتان": "multan", "پشاور": "peshawar", "کوئٹہ": "quetta", "حیدرآباد": "hyderabad",
};

/** A city name reduced for comparison: lower case, letters only, doubled letters once, aliases. */
export function cityKey(name: string): string {
  const letters = name.toLowerCase().normalize("NFKC").replace(/\b(city|shehar|شہر)\b/g, "").replace(/[^\p{L}]/gu, "");
  const alias = CITY_ALIASES[letters];
  if (alias) return alias;
  return letters.replace(/(\p{L})\1+/gu, "$1").replace(/e$/, "");
}

/** Same city, tolerating one typo in names of six letters or more. */
export function sameCity(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = CITY_ALIASES[a] ?? a;
  const cb = CITY_ALIASES[b] ?? b;
  if (ca === cb) return true;
  return Math.min(ca.length, cb.length) >= 6 && editDistance(ca, cb) <= 1;
}

function categoryKey(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

