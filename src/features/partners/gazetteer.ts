/**
 * The offline gazetteer (content/partners/gazetteer.json, built by
 * scripts/build-gazetteer.ts from GeoNames) and the parser that finds a place in free text:
 * "Sialkot", "sailkot", "سیالکوٹ", "mai daska se hun", "I am in gujranwala".
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { readCacheFile, sourceDigest, writeCacheFile } from "../../core/file-cache.ts";
import { hasArabicScript, placeKey, placeWords, skeleton, withinEdits } from "./place-text.ts";

const FILE = fileURLToPath(new URL("../../../content/partners/gazetteer.json", import.meta.url));
/** The code that validates and keys the file (the cache's name changes with it). */
const CODE = [fileURLToPath(import.meta.url), fileURLToPath(new URL("./place-text.ts", import.meta.url)), fileURLToPath(new URL("../../core/text.ts", import.meta.url))];

const placeSchema = z.object({
  name: z.string().min(1),
  province: z.string(),
  lat: z.number().min(23).max(38),
  lon: z.number().min(60).max(78),
  rank: z.number().int().min(0),
  ur: z.string().nullable(),
  aliases: z.array(z.string()),
  variants: z.array(z.string()),
});
const fileSchema = z.object({ source: z.string(), licence: z.string(), places: z.array(placeSchema).min(300) });

/** A place of the gazetteer. */
export interface Place {
  name: string;
  province: string;
  latitude: number;
  longitude: number;
  /** Urdu-script name (hand-added for the bigger towns), or null. */
  urdu: string | null;
  /** 1 = most prominent; 0 = not ranked (comes after every ranked place). */
  rank: number;
}

/** A place found in a text, and how it was found. */
export interface PlaceMatch {
  place: Place;
  /** exact name/alias/variant, or a fuzzy (misspelling) match */
  how: "exact" | "fuzzy";
  /** The words of the text that named the place. */
  words: string;
}

/** Filler around a place: "mai daska se hun", "I am in gujranwala", "میں ڈسکہ سے ہوں". */
const FILLER = new Set(
  (
    "i im am is are was in at from near to of the a an my me we our here there live living based located " +
    "city town village district area shehar sheher shahar shehr zila tehsil " +
    "mai main mein me mei mn se sy say hun hoon hon hu ho hain hai he hy raha rahi rehta rehti rahta rahti rehte rehtay " +
    "ka ki ke ko mera meri mere hamara hamari wala wali waly nearest closest near nearby partner partners agent agency " +
    "qareebi qareeb kareebi kareeb qarib nazdeek nazdiki nazdeeki kahan kidhar where find show koi please plz pls " +
    "for sir madam bhai ji jee acha ok okay hello hi salam assalam aoa and or but also " +
    "میں سے ہوں ہو ہے ہیں رہتا رہتی رہتے کا کی کے کو میرا میری شہر ضلع قریبی قریب نزدیک پارٹنر کہاں کدھر اور جی بھائی"
  ).split(/\s+/).map(placeKey),
);
/** Words that are never (part of) a place name: filler plus everyday words. */
const STOP = new Set([
  ...FILLER,
  ...(
    "pakistan pk punjab sindh province country kar karo karna karein do de dein den kya kia nahi nhi bhi ya to tha thi " +
    "liye lie koi kuch ab abhi yahan wahan is us yeh ye wo woh sakta sakti chahiye chahta chahti bata batao " +
    "the this that it you your with on by what how when who which can does need want help get " +
    "پاکستان کیا نہیں بھی"
  ).split(/\s+/).map(placeKey),
]);
/** Location prepositions that make a short or word-like name count ("in hub", "hub se"). */
const LOCATIVE = new Set(["in", "at", "from", "near", "se", "sy", "say", "mein", "mai", "main", "me", "mei", "سے", "میں"].map(placeKey));
/** Names that are also everyday words; they count only next to a locative or alone. */
const WORDLIKE = new Set(["tank", "hub", "dir", "wah", "bagh", "mari", "toba", "chak", "bela", "mach", "basra", "nagar", "model town", "thal", "khar", "jand", "lawa", "sann", "bhan", "daur", "kech", "hala", "moro", "johi", "jati", "dinga", "patan", "tangi", "topi", "doaba", "chamber", "dayal"].map(placeKey));

/** An indexed gazetteer. */
export interface Gazetteer {
  readonly places: readonly Place[];
  readonly source: string;
  /** The best place named in `text`, or null. */
  find(text: string): PlaceMatch | null;
  /** The place closest to a point. */
  closest(latitude: number, longitude: number): { place: Place; km: number };
  /**
   * The town a location pin is in: the nearest prominent (ranked) town within 30 km, so a
   * pin in a Karachi neighbourhood says "Karachi"; else the nearest place within 40 km; else null.
   */
  townOf(latitude: number, longitude: number): Place | null;
}

let cached: Gazetteer | undefined;

/** Where the validated gazetteer and its name keys are kept between starts (like the understander's build cache). */
export const DEFAULT_GAZETTEER_CACHE_DIR = join(tmpdir(), "seller-bot-partners");
let cacheDir: string | null = DEFAULT_GAZETTEER_CACHE_DIR;
const CACHE_FORMAT = 1;

/** Sets the cache folder {@link loadGazetteer} uses (null: validate and key the file at every load). For the bench and tests. */
export function setGazetteerCacheDir(dir: string | null): void {
  cacheDir = dir;
}

/** Loads (once) and indexes the committed gazetteer; throws if the file is invalid. */
export function loadGazetteer(): Gazetteer {
  cached ??= readGazetteer(cacheDir);
  return cached;
}

type GazetteerFile = z.infer<typeof fileSchema>;
interface CachedGazetteer {
  format: number;
  file: GazetteerFile;
  /** Per place, placeKey of its name, aliases and Urdu name (what createGazetteer would work out). */
  named: string[][];
}

/**
 * The gazetteer from `<cacheDir>/gazetteer-<key>.bin` when the file and the code are unchanged
 * (`<key>` hashes the file's bytes, the code that validates and keys it, and the V8 version: a
 * cache is never stale, only missing), else validated with zod and keyed, and the cache written.
 * Validating ~500 places and normalising their ~1,000 names cost a cold start 25–50 ms of cpu;
 * reading them back costs a few. Not memoised ({@link loadGazetteer} is); null: no cache.
 */
export function readGazetteer(cacheDir: string | null = DEFAULT_GAZETTEER_CACHE_DIR): Gazetteer {
  const bytes = readFileSync(FILE);
  let file: string | undefined;
  if (cacheDir !== null) {
    try {
      const key = createHash("sha256").update(`${CACHE_FORMAT} ${process.versions.v8} ${sourceDigest(dirname(CODE[0]!), CODE)}`).update(bytes).digest("hex").slice(0, 32);
      file = join(cacheDir, `gazetteer-${key}.bin`);
    } catch {
      file = undefined; // the code cannot be read (a bundled build): no cache
    }
  }
  const hit = file ? readCacheFile<CachedGazetteer>(file, (v) => v.format === CACHE_FORMAT && Array.isArray(v.file?.places) && Array.isArray(v.named) && v.named.length === v.file.places.length) : undefined;
  if (hit) return createGazetteer(hit.file, hit.named);
  const parsed = fileSchema.parse(JSON.parse(bytes.toString("utf8")));
  const named = parsed.places.map(namedKeys);
  if (file && cacheDir !== null) writeCacheFile(cacheDir, file, { format: CACHE_FORMAT, file: parsed, named } satisfies CachedGazetteer, "gazetteer");
  return createGazetteer(parsed, named);
}

/** The keys of a place's name, aliases and Urdu name. */
function namedKeys(p: GazetteerFile["places"][number]): string[] {
  return [p.name, ...p.aliases, ...(p.ur ? [p.ur] : [])].map(placeKey);
}

type Entry = { place: Place; key: string; strict: boolean };
/** Fuzzy keys by {@link fuzzyBucket}, each with its place in the order the keys were added (ties go to the first). */
type FuzzyKeys = Map<string, Array<{ entry: Entry; index: number }>>;
const fuzzyBucket = (urdu: boolean, length: number) => `${urdu ? "u" : "l"}${length}`;

function createGazetteer(file: GazetteerFile, namedByPlace: readonly string[][] = file.places.map(namedKeys)): Gazetteer {
  const places: Place[] = [];
  const exact = new Map<string, Entry[]>();
  const skeletons = new Map<string, Entry[]>();
  // Fuzzy keys by script and length: a key more edits longer or shorter than allowed cannot match.
  const fuzzyKeys: FuzzyKeys = new Map();
  let fuzzyIndex = 0;
  const add = (map: Map<string, Entry[]>, key: string, entry: Entry) => {
    const list = map.get(key) ?? [];
    if (!list.some((e) => e.place === entry.place)) list.push(entry);
    map.set(key, list);
  };
  file.places.forEach((p, i) => {
    const place: Place = { name: p.name, province: p.province, latitude: p.lat, longitude: p.lon, urdu: p.ur, rank: p.rank };
    places.push(place);
    const named = namedByPlace[i]!;
    for (const key of new Set([...named, ...p.variants])) {
      const entry = { place, key, strict: key.length <= 3 || WORDLIKE.has(key) || (!hasArabicScript(key) && p.rank === 0 && key.length <= 4) };
      add(exact, key, entry);
    }
    for (const key of new Set(named)) {
      if (key.length < 5 && !hasArabicScript(key)) continue;
      const entry = { place, key, strict: false };
      const bucket = fuzzyBucket(hasArabicScript(key), key.length);
      const list = fuzzyKeys.get(bucket);
      if (list) list.push({ entry, index: fuzzyIndex++ });
      else fuzzyKeys.set(bucket, [{ entry, index: fuzzyIndex++ }]);
      if (!hasArabicScript(key)) add(skeletons, skeleton(key), entry);
    }
  });
  const order = (a: Entry, b: Entry) => prominence(a.place) - prominence(b.place);
  for (const list of [...exact.values(), ...skeletons.values()]) list.sort(order);

  return {
    places,
    source: file.source,
    find(text) {
      const words = placeWords(text).slice(0, 40);
      const notFiller = words.filter((w) => !FILLER.has(w)).length;
      const content = words.filter((w) => !STOP.has(w)).length;
      return findExact(words, notFiller, exact) ?? findFuzzy(words, content, skeletons, fuzzyKeys);
    },
    closest(latitude, longitude) {
      let best = places[0]!;
      let km = Infinity;
      for (const place of places) {
        const d = haversineKm(latitude, longitude, place.latitude, place.longitude);
        if (d < km) [best, km] = [place, d];
      }
      return { place: best, km };
    },
    townOf(latitude, longitude) {
      let best: Place | null = null;
      let km = 30;
      for (const place of places) {
        if (place.rank === 0) continue;
        const d = haversineKm(latitude, longitude, place.latitude, place.longitude);
        if (d < km) [best, km] = [place, d];
      }
      if (best) return best;
      const any = this.closest(latitude, longitude);
      return any.km <= 40 ? any.place : null;
    },
  };
}

function prominence(place: Place): number {
  return place.rank > 0 ? place.rank : 10_000;
}

/** Longest run of words naming a place exactly; ties go to the more prominent place. */
function findExact(words: string[], contentWords: number, exact: Map<string, Entry[]>): PlaceMatch | null {
  for (let n = Math.min(4, words.length); n >= 1; n--) {
    let best: { entry: Entry; i: number } | null = null;
    for (let i = 0; i + n <= words.length; i++) {
      if (n === 1 && STOP.has(words[i]!)) continue;
      const key = n === 1 ? words[i]! : words.slice(i, i + n).join("");
      for (const entry of exact.get(key) ?? []) {
        if (entry.strict && !(contentWords <= n || LOCATIVE.has(words[i - 1] ?? "") || LOCATIVE.has(words[i + n] ?? ""))) continue;
        if (!best || prominence(entry.place) < prominence(best.entry.place)) best = { entry, i };
        break;
      }
    }
    if (best) return { place: best.entry.place, how: "exact", words: words.slice(best.i, best.i + n).join(" ") };
  }
  return null;
}

/** Words after which (English) or before which (Urdu) a misspelt word may be a place. */
const FUZZY_BEFORE = new Set(["in", "from", "at", "near"]);
const FUZZY_AFTER = new Set(["se", "sy", "say", "سے"].map(placeKey));
const FUZZY_AFTER_SE = new Set(["hun", "hoon", "hon", "hu", "hain", "ہوں", "ہیں", ""].map(placeKey));

/**
 * Misspellings: same skeleton ("sailkot" ~ "sialkot"), else one or two edits away. Only in
 * short messages (at most two content words) or right after "in/from/at/near" or before
 * "se": in a longer sentence almost any word is two edits from some village.
 */
function findFuzzy(words: string[], contentWords: number, skeletons: Map<string, Entry[]>, keys: FuzzyKeys): PlaceMatch | null {
  let best: { entry: Entry; distance: number; words: string } | null = null;
  for (let n = 1; n <= 2; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      const slice = words.slice(i, i + n);
      if (slice.some((w) => STOP.has(w) || w.length < 3)) continue;
      const located = FUZZY_BEFORE.has(words[i - 1] ?? "") || (FUZZY_AFTER.has(words[i + n] ?? "") && FUZZY_AFTER_SE.has(words[i + n + 1] ?? ""));
      if (contentWords > 2 && !located) continue;
      const key = slice.join("");
      const urdu = hasArabicScript(key);
      if (key.length < (urdu ? 4 : 5)) continue;
      const consider = (entry: Entry, distance: number) => {
        if (!best || distance < best.distance || (distance === best.distance && prominence(entry.place) < prominence(best.entry.place))) {
          best = { entry, distance, words: slice.join(" ") };
        }
      };
      const skel = skeleton(key);
      if (!urdu && skel.length >= 4) for (const entry of skeletons.get(skel) ?? []) consider(entry, 0.5);
      const max = key.length >= 9 ? 2 : 1;
      // The nearest key of this script (then the more prominent place, then the first added),
      // looked for only among the lengths an edit distance of `max` allows.
      let near: { entry: Entry; index: number } | undefined;
      let nearDistance = Infinity;
      for (let length = key.length - max; length <= key.length + max; length++) {
        for (const k of keys.get(fuzzyBucket(urdu, length)) ?? []) {
          const d = withinEdits(key, k.entry.key, max);
          if (d > max) continue;
          const better = !near || d < nearDistance || (d === nearDistance && (prominence(k.entry.place) < prominence(near.entry.place) || (prominence(k.entry.place) === prominence(near.entry.place) && k.index < near.index)));
          if (better) [near, nearDistance] = [k, d];
        }
      }
      if (near) consider(near.entry, nearDistance);
    }
  }
  const found = best as { entry: Entry; distance: number; words: string } | null;
  return found ? { place: found.entry.place, how: "fuzzy", words: found.words } : null;
}

/** Great-circle distance in km. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
}
