/**
 * An in-memory k-d tree over points on the globe, for "the k nearest partners" in
 * microseconds among 100,000. Points are stored as 3-D unit vectors, so straight-line
 * (chord) distance orders points exactly like great-circle distance, with no trouble at
 * the antimeridian or the poles. Built once from the database and rebuilt on change
 * (docs/decisions/0201-partner-spatial-index.md).
 */

const EARTH_KM = 6371.0088;

/** A point to index; `id` is returned by queries. */
export interface IndexedPoint {
  id: number;
  latitude: number;
  longitude: number;
}

/** One query result. */
export interface Neighbour {
  id: number;
  km: number;
}

/** Query-time filter: return false to skip a point (category filter). */
export type PointFilter = (id: number) => boolean;

/** A static k-d tree; create a new one when the points change. */
export interface SpatialIndex {
  readonly size: number;
  /** The `k` nearest points to (latitude, longitude), nearest first. */
  nearest(latitude: number, longitude: number, k: number, filter?: PointFilter): Neighbour[];
}

/** Builds the index in O(n log n). */
export function createSpatialIndex(points: readonly IndexedPoint[]): SpatialIndex {
  const n = points.length;
  const xyz = new Float64Array(n * 3);
  const ids = new Int32Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    toVector(p.latitude, p.longitude, xyz, i * 3);
    ids[i] = p.id;
    order[i] = i;
  }
  // The tree is implicit: order[lo..hi) is split at mid = (lo+hi)>>1 on axis depth % 3.
  build(order, xyz, 0, n, 0);
  const query = new Float64Array(3);

  return {
    size: n,
    nearest(latitude, longitude, k, filter) {
      if (n === 0 || k <= 0) return [];
      toVector(latitude, longitude, query, 0);
      const qx = query[0]!, qy = query[1]!, qz = query[2]!;
      // The k best so far, sorted ascending by squared chord; no allocation per node visited.
      const bestI = new Int32Array(k);
      const bestD = new Float64Array(k).fill(Infinity);
      let found = 0;
      const visit = (lo: number, hi: number, axis: number): void => {
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const i = order[mid]!;
          const b = i * 3;
          const dx = xyz[b]! - qx, dy = xyz[b + 1]! - qy, dz = xyz[b + 2]! - qz;
          const d = dx * dx + dy * dy + dz * dz;
          if (d < bestD[k - 1]! && (!filter || filter(ids[i]!))) {
            let at = Math.min(found, k - 1);
            while (at > 0 && bestD[at - 1]! > d) {
              bestD[at] = bestD[at - 1]!;
              bestI[at] = bestI[at - 1]!;
              at--;
            }
            bestD[at] = d;
            bestI[at] = i;
            if (found < k) found++;
          }
          const diff = (axis === 0 ? qx : axis === 1 ? qy : qz) - xyz[b + axis]!;
          const next = axis === 2 ? 0 : axis + 1;
          // Near side first (recursion), then the far side (loop) only if the splitting plane
          // is closer than the k-th best found so far.
          if (diff < 0) {
            visit(lo, mid, next);
            if (diff * diff >= bestD[k - 1]!) return;
            lo = mid + 1;
          } else {
            visit(mid + 1, hi, next);
            if (diff * diff >= bestD[k - 1]!) return;
            hi = mid;
          }
          axis = next;
        }
      };
      visit(0, n, 0);
      const out: Neighbour[] = [];
      for (let j = 0; j < found; j++) out.push({ id: ids[bestI[j]!]!, km: chordToKm(Math.sqrt(bestD[j]!)) });
      return out;
    },
  };
}

function toVector(latitude: number, longitude: number, out: Float64Array, at: number): void {
  const lat = (latitude * Math.PI) / 180;
  const lon = (longitude * Math.PI) / 180;
  out[at] = Math.cos(lat) * Math.cos(lon);
  out[at + 1] = Math.cos(lat) * Math.sin(lon);
  out[at + 2] = Math.sin(lat);
}

/** Chord length on the unit sphere → great-circle km. */
function chordToKm(chord: number): number {
  return 2 * EARTH_KM * Math.asin(Math.min(1, chord / 2));
}

function build(order: Int32Array, xyz: Float64Array, lo: number, hi: number, depth: number): void {
  if (hi - lo <= 1) return;
  const mid = (lo + hi) >> 1;
  select(order, xyz, lo, hi - 1, mid, depth % 3);
  build(order, xyz, lo, mid, depth + 1);
  build(order, xyz, mid + 1, hi, depth + 1);
}

/** Quickselect (Hoare): puts the element of rank `k` by `axis` at `k`, smaller left, larger right. */
function select(order: Int32Array, xyz: Float64Array, left: number, right: number, k: number, axis: number): void {
  while (right > left) {
    const pivot = xyz[order[(left + right) >> 1]! * 3 + axis]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (xyz[order[i]! * 3 + axis]! < pivot) i++;
      while (xyz[order[j]! * 3 + axis]! > pivot) j--;
      if (i <= j) {
        const t = order[i]!;
        order[i++] = order[j]!;
        order[j--] = t;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/** The same query by scanning every point: the benchmark's baseline and the tests' oracle. */
export function bruteForceNearest(points: readonly IndexedPoint[], latitude: number, longitude: number, k: number, filter?: PointFilter): Neighbour[] {
  const q = new Float64Array(3);
  toVector(latitude, longitude, q, 0);
  const v = new Float64Array(3);
  const best: Array<{ id: number; d: number }> = [];
  for (const p of points) {
    if (filter && !filter(p.id)) continue;
    toVector(p.latitude, p.longitude, v, 0);
    const d = (v[0]! - q[0]!) ** 2 + (v[1]! - q[1]!) ** 2 + (v[2]! - q[2]!) ** 2;
    if (best.length === k && d >= best[k - 1]!.d) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.d > d) at--;
    best.splice(at, 0, { id: p.id, d });
    if (best.length > k) best.pop();
  }
  return best.map(({ id, d }) => ({ id, km: chordToKm(Math.sqrt(d)) }));
}
