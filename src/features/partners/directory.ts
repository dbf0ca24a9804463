/**
 * The in-memory directory of offerable partners (active and approved) with its spatial
 * index. Loaded from the database on first use, dropped when this process changes
 * partners, and re-checked every few seconds against the table (count + last update) so a
 * change made by another process (an import on the same PostgreSQL) is picked up too.
 */
import type { Db } from "../../db/client.ts";
import { createSpatialIndex, type SpatialIndex } from "./spatial-index.ts";

/** What the directory keeps per partner (all a reply needs). */
export interface DirectoryPartner {
  id: number;
  name: string;
  code: string;
  city: string;
  address: string;
  latitude: number;
  longitude: number;
  phone: string | null;
  whatsapp: string | null;
  telegram: string | null;
  categories: string[];
  languages: string[];
}

/** A partner with its distance from the asked point. */
export interface NearbyPartner extends DirectoryPartner {
  distanceKm: number;
}

interface Loaded {
  byId: Map<number, DirectoryPartner>;
  index: SpatialIndex;
  categories: string[];
  stamp: string;
  checkedAt: number;
}

const RECHECK_MS = 5_000;
const cache = new WeakMap<Db, Promise<Loaded>>();

/** Drops the cached directory (call after writing partners). */
export function invalidateDirectory(db: Db): void {
  cache.delete(db);
}

async function stampOf(db: Db): Promise<string> {
  const agg = await db.partner.aggregate({ _count: { _all: true }, _max: { updatedAt: true } });
  return `${agg._count._all}:${agg._max.updatedAt?.getTime() ?? 0}`;
}

async function load(db: Db): Promise<Loaded> {
  const stamp = await stampOf(db);
  const rows = await db.partner.findMany({
    where: { active: true, approved: true },
    select: { id: true, name: true, code: true, city: true, address: true, latitude: true, longitude: true, phone: true, whatsapp: true, telegram: true, categories: true, languages: true },
  });
  const byId = new Map<number, DirectoryPartner>();
  const categories = new Set<string>();
  for (const r of rows) {
    const cats = r.categories ? r.categories.split(";") : [];
    cats.forEach((c) => categories.add(c));
    byId.set(r.id, { ...r, categories: cats, languages: r.languages ? r.languages.split(";") : [] });
  }
  return { byId, index: createSpatialIndex(rows), categories: [...categories].sort(), stamp, checkedAt: Date.now() };
}

/** The current directory, loading or refreshing it when needed. */
export async function getDirectory(db: Db): Promise<Loaded> {
  let pending = cache.get(db);
  if (pending) {
    const loaded = await pending;
    if (Date.now() - loaded.checkedAt < RECHECK_MS) return loaded;
    loaded.checkedAt = Date.now();
    if ((await stampOf(db)) === loaded.stamp) return loaded;
    invalidateDirectory(db);
  }
  pending = load(db);
  cache.set(db, pending);
  pending.catch(() => cache.delete(db));
  return pending;
}

/** The `limit` nearest offerable partners to a point, optionally of one category. */
export async function nearestPartners(db: Db, query: { latitude: number; longitude: number; limit?: number; category?: string | null }): Promise<NearbyPartner[]> {
  const dir = await getDirectory(db);
  const category = query.category?.toLowerCase() ?? null;
  const filter = category ? (id: number) => dir.byId.get(id)?.categories.includes(category) ?? false : undefined;
  return dir.index.nearest(query.latitude, query.longitude, query.limit ?? 3, filter).map((n) => ({ ...dir.byId.get(n.id)!, distanceKm: Math.round(n.km * 100) / 100 }));
}

/** The known category that a text asks for ("partner for surgical instruments"), or null. */
export async function categoryInText(db: Db, words: string[]): Promise<string | null> {
  const dir = await getDirectory(db);
  const text = ` ${words.join(" ")} `;
  let best: string | null = null;
  for (const c of dir.categories) {
    const cw = c.split(/\s+/);
    // Whole category, or its first long word ("surgical" for "surgical instruments").
    const hit = text.includes(` ${cw.join(" ")} `) || (cw[0]!.length >= 5 && text.includes(` ${cw[0]} `)) || (cw.length === 1 && cw[0]!.length >= 5 && text.includes(` ${cw[0]!.replace(/s$/, "")} `));
    if (hit && (!best || c.length > best.length)) best = c;
  }
  return best;
}
