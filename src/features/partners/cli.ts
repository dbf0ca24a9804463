/**
 * `seller-bot partners …` (contract in ../shared/design.md):
 * - `partners import FILE.csv [--json]`: validates every row (errors as `row N, FIELD: …`
 *   on stderr, exit 2, nothing written), else upserts by name in one transaction.
 * - `partners export`: the same CSV columns to stdout.
 * - `partners nearest --json (--lat N --lon N | --place TEXT) [--limit K] [--category C]`:
 *   `[{"name","city","distanceKm",…}]`, nearest first (active, approved partners only).
 * - `partners approve NAME --user CHANNEL:ID`: makes that bot account a member of the partner
 *   (approves a pending `/partner CODE` request, or creates the membership) and approves
 *   the partner.
 * - `partners revoke --user CHANNEL:ID`: takes a partner account away again.
 * None of them adds sample data.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { z } from "zod";
import { usageError, type CliIO } from "../../cli/io.ts";
import { openConfiguredDatabase, type Database } from "../../db/client.ts";
import { nearestPartners } from "./directory.ts";
import { loadGazetteer } from "./gazetteer.ts";
import { approveMemberByIdentity, revokeMemberByIdentity } from "./membership.ts";
import { checkPartnerFile, exportPartners, FileChangedError, importPartners, partnerFileRows } from "./repository.ts";
import { whatsappLink } from "./rows.ts";

const USAGE = [
  "usage: seller-bot partners import FILE.csv [--json]",
  "       seller-bot partners export",
  "       seller-bot partners nearest --json (--lat N --lon N | --place TEXT) [--limit K] [--category NAME]",
  "       seller-bot partners approve NAME --user CHANNEL:ID",
  "       seller-bot partners revoke --user CHANNEL:ID",
].join("\n");

/** Splits `--flag value` / `--flag=value` / `--bool` options from positional words. */
function parseOptions(argv: string[], booleans: string[]): { options: Record<string, string | true>; words: string[] } | string {
  const options: Record<string, string | true> = {};
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      words.push(arg);
      continue;
    }
    const name = m[1]!;
    if (booleans.includes(name)) options[name] = true;
    else if (m[2] !== undefined) options[name] = m[2];
    else if (argv[i + 1] !== undefined) options[name] = argv[++i]!;
    else return `Option --${name} needs a value.`;
  }
  return { options, words };
}

/** Runs a `partners` subcommand; returns the exit code. */
export async function runPartners(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "import":
      return runImport(rest, io);
    case "export":
      return rest.length ? usageError(io, USAGE) : withDb(io, (db) => runExport(db, io));
    case "nearest":
      return runNearest(rest, io);
    case "approve":
      return runApprove(rest, io);
    case "revoke":
      return runRevoke(rest, io);
    default:
      return usageError(io, USAGE);
  }
}

async function withDb(io: CliIO, fn: (database: Database) => Promise<number>): Promise<number> {
  const database = await openConfiguredDatabase(io.config.database);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function runImport(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(argv, ["json"]);
  if (typeof parsed === "string") return usageError(io, parsed);
  const unknown = Object.keys(parsed.options).filter((o) => o !== "json");
  if (unknown.length || parsed.words.length !== 1) return usageError(io, USAGE);
  const file = parsed.words[0]!;
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    return usageError(io, `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  // Pass one: every row checked, streaming; nothing is written unless all are good.
  const check = await checkPartnerFile(file);
  if (!check.ok) {
    const fileProblem = check.errors.find((e) => e.row === 0);
    if (fileProblem && check.badRows === 0) return usageError(io, `${file}: ${fileProblem.message}; nothing was imported.`);
    for (const e of check.errors) io.stderr.write(`${e.row > 0 ? `row ${e.row}, ` : ""}${e.field}: ${e.message}\n`);
    const listed = new Set(check.errors.filter((e) => e.row > 0).map((e) => e.row)).size;
    const more = check.badRows > listed ? ` (the first ${listed} listed)` : "";
    io.stderr.write(`${file}: ${check.badRows} bad row(s)${more}; nothing was imported.\n`);
    return 2;
  }
  return withDb(io, (database) => importFile(database, file, io, Boolean(parsed.options.json)));
}

/** Exit code of an import that could not get the database: try again later (EX_TEMPFAIL). */
export const EXIT_BUSY = 75;

/** Pass two of `partners import`: the checked file, streamed into one transaction. */
export async function importFile(database: Database, file: string, io: CliIO, json: boolean): Promise<number> {
  const started = Date.now();
  let summary;
  try {
    summary = await importPartners(database.prisma, database.provider, partnerFileRows(file));
  } catch (error) {
    if (error instanceof FileChangedError) return usageError(io, `${file}: ${error.message}.`);
    if (!isDatabaseBusy(error)) throw error;
    io.stderr.write(`${file}: the database is busy (another process, such as a running "seller-bot start", held its write lock for more than ${BUSY_WAIT_SECONDS} s); nothing was imported. Try again.\n`);
    return EXIT_BUSY;
  }
  if (json) io.stdout.write(`${JSON.stringify({ file, ...summary, ms: Date.now() - started })}\n`);
  else io.stdout.write(`${file}: ${summary.rows} row(s): ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged.\n`);
  return 0;
}

/** How long SQLite waits for another writer (busy_timeout in src/db/client.ts). */
const BUSY_WAIT_SECONDS = 10;

/** SQLite's "database is locked" (SQLITE_BUSY), however the driver adapter wrapped it. */
function isDatabaseBusy(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (/database is locked|SQLITE_BUSY/i.test(e.message)) return true;
  }
  return false;
}

async function runExport(database: Database, io: CliIO): Promise<number> {
  await exportPartners(database.prisma, (chunk) => io.stdout.write(chunk));
  return 0;
}

/** One message for every way a coordinate can be wrong (text, 999, 1e308): the range. */
const coordinate = (max: number) => {
  const message = `must be a number between -${max} and ${max}`;
  return z.coerce.number(message).min(-max, message).max(max, message).optional();
};
const LIMIT = "must be a whole number from 1 to 1000";

const nearestSchema = z
  .object({
    json: z.literal(true, "--json is required (the output is JSON)"),
    lat: coordinate(90),
    lon: coordinate(180),
    place: z.string().trim().min(1).optional(),
    limit: z.coerce.number(LIMIT).int(LIMIT).min(1, LIMIT).max(1000, LIMIT).default(3),
    category: z.string().trim().min(1).optional(),
  })
  .strict()
  .refine((o) => (o.place !== undefined) !== (o.lat !== undefined || o.lon !== undefined), "give either --lat and --lon, or --place")
  .refine((o) => o.place !== undefined || (o.lat !== undefined && o.lon !== undefined), "--lat and --lon go together");

async function runNearest(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(argv, ["json"]);
  if (typeof parsed === "string") return usageError(io, parsed);
  if (parsed.words.length) return usageError(io, `Unexpected "${parsed.words.join(" ")}".\n${USAGE}`);
  const args = nearestSchema.safeParse(parsed.options);
  if (!args.success) return usageError(io, `${args.error.issues.map((i) => (i.path.length ? `--${i.path.join(".")}: ${i.message}` : i.message)).join("; ")}\n${USAGE}`);
  const o = args.data;
  let point = { latitude: o.lat ?? 0, longitude: o.lon ?? 0 };
  if (o.place !== undefined) {
    const match = loadGazetteer().find(o.place);
    if (!match) return usageError(io, `Unknown place "${o.place}". Try a town name, or --lat and --lon.`);
    point = { latitude: match.place.latitude, longitude: match.place.longitude };
  }
  return withDb(io, async (database) => {
    const found = await nearestPartners(database.prisma, { ...point, limit: o.limit, category: o.category ?? null });
    const out = found.map((p) => ({
      name: p.name,
      city: p.city,
      distanceKm: p.distanceKm,
      address: p.address,
      latitude: p.latitude,
      longitude: p.longitude,
      phone: p.phone,
      whatsapp: p.whatsapp,
      whatsappLink: whatsappLink(p.whatsapp),
      telegram: p.telegram,
      categories: p.categories,
      languages: p.languages,
      code: p.code,
    }));
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  });
}

const approveSchema = z.object({
  name: z.string().trim().min(1),
  user: z.string().regex(/^(telegram|whatsapp|console):.+$/, "--user must be CHANNEL:ID, e.g. telegram:123456789"),
});

async function runApprove(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(argv, []);
  if (typeof parsed === "string") return usageError(io, parsed);
  const args = approveSchema.safeParse({ name: parsed.words.join(" "), user: parsed.options.user });
  if (!args.success) return usageError(io, `${args.error.issues.map((i) => i.message).join("; ")}\n${USAGE}`);
  const [channel, ...id] = args.data.user.split(":");
  return withDb(io, async (database) => {
    const result = await approveMemberByIdentity(database.prisma, args.data.name, channel!, id.join(":"));
    if (!result.ok) return usageError(io, result.error);
    io.stdout.write(`${args.data.user} is now a member of "${result.partner}" (role partner).\n`);
    return 0;
  });
}

async function runRevoke(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(argv, []);
  if (typeof parsed === "string") return usageError(io, parsed);
  const user = approveSchema.shape.user.safeParse(parsed.options.user);
  if (parsed.words.length || !user.success) return usageError(io, `${user.success ? "" : `${user.error.issues[0]?.message}\n`}${USAGE}`);
  const [channel, ...id] = user.data.split(":");
  return withDb(io, async (database) => {
    const result = await revokeMemberByIdentity(database.prisma, channel!, id.join(":"), new Date());
    if (!result.ok) return usageError(io, result.error);
    io.stdout.write(`${user.data} no longer acts for "${result.partner}" (role seller).\n`);
    return 0;
  });
}
