/**
 * Deactivating and activating a partner (`partners deactivate NAME` / `activate NAME`).
 * A deactivated partner leaves the finder, deep links and picks at once (the directory
 * holds active partners only); its sellers keep the assignment (their history stays) and
 * get a notice through the outbox, so a CLI run is delivered by the running bot, offering
 * the nearest active partner to them with a button to pick it.
 */
import type { AppDeps } from "../../core/context.ts";
import { LANGS, type Lang } from "../../core/types.ts";
import { enqueueDirect } from "../broadcasts/api.ts";
import { findPartnerByName, type PartnerRow } from "./api.ts";
import { invalidateDirectory, nearestPartners } from "./directory.ts";

/** What a change of a partner's state did. */
export type PartnerStateResult = { ok: true; partner: PartnerRow; changed: boolean; notified: number } | { ok: false; error: string };

/** Sets a partner (by name or numeric id) active or not; sellers are told when it goes. */
export async function setPartnerActive(deps: AppDeps, nameOrId: string, active: boolean): Promise<PartnerStateResult> {
  const partner = /^\d{1,9}$/.test(nameOrId.trim())
    ? ((await deps.db.partner.findUnique({ where: { id: Number(nameOrId) } })) ?? (await findPartnerByName(deps.db, nameOrId)))
    : await findPartnerByName(deps.db, nameOrId);
  if (!partner) return { ok: false, error: `No partner named "${nameOrId}".` };
  if (partner.active === active) return { ok: true, partner, changed: false, notified: 0 };
  const updated = await deps.db.partner.update({ where: { id: partner.id }, data: { active } });
  invalidateDirectory(deps.db);
  const notified = active ? 0 : await tellSellers(deps, updated);
  deps.log.info({ partnerId: partner.id, active, notified }, "partner state changed");
  return { ok: true, partner: updated, changed: true, notified };
}

/** Queues one notice per seller of a deactivated partner with the nearest active one. */
async function tellSellers(deps: AppDeps, partner: PartnerRow): Promise<number> {
  const sellers = await deps.db.sellerAssignment.findMany({ where: { partnerId: partner.id }, select: { sellerId: true, seller: { select: { sellerProfile: true } } } });
  const stamp = deps.now().getTime();
  let queued = 0;
  for (const s of sellers) {
    const p = s.seller.sellerProfile;
    const from = p?.latitude != null && p.longitude != null ? { latitude: p.latitude, longitude: p.longitude } : { latitude: partner.latitude, longitude: partner.longitude };
    const [found] = await nearestPartners(deps.db, { ...from, limit: 1 });
    // Beyond PARTNER_MAX_DISTANCE_KM the finder would not offer it either: the programme team instead.
    const far = found !== undefined && found.distanceKm > deps.config.partnerMaxDistanceKm;
    const nearest = far ? undefined : found;
    const text = byLang(deps, (lang) =>
      nearest
        ? deps.i18n.t(lang)("partners:inactive.notice", { partner: partner.name, name: nearest.name, city: nearest.city, km: Math.round(nearest.distanceKm) })
        : deps.i18n.t(lang)(far ? "partners:inactive.noticeFar" : "partners:inactive.noticeNone", { partner: partner.name }),
    );
    const choices = nearest
      ? [{ data: `pt:pick:${nearest.id}`, label: byLang(deps, (lang) => deps.i18n.t(lang)("partners:find.pickButton", { name: nearest.name })) }]
      : far
        ? [{ data: "pt:team", label: byLang(deps, (lang) => deps.i18n.t(lang)("partners:far.teamButton")) }]
        : undefined;
    // Not an announcement: about the seller's own partner, so sent also to those who said STOP.
    queued += await enqueueDirect(deps, [{ userId: s.sellerId, kind: "notice", dedupeKey: `ptoff:${partner.id}:${s.sellerId}:${stamp}`, content: { text, choices }, respectOptOut: false }]);
  }
  return queued;
}

function byLang(_deps: AppDeps, build: (lang: Lang) => string): Record<Lang, string> {
  return Object.fromEntries(LANGS.map((l) => [l, build(l)])) as Record<Lang, string>;
}
