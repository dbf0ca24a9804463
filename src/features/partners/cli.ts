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
 * None of them adds sample data. Arguments are declared in ./commands.ts.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { z } from "zod";
import type { PartnerRef } from "../../cli/define.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { resolvePartner } from "../../cli/partner-ref.ts";
import { openConfiguredDatabase, type Database } from "../../db/client.ts";
import { nearestPartners } from "./directory.ts";
import { loadGazetteer } from "./gazetteer.ts";
import { createApp, type App } from "../../app.ts";
import { approveMemberByIdentity, queueDecisionNotice, revokeMemberByIdentity } from "./membership.ts";
import { pendingRequests } from "./requests.ts";
import { setPartnerActive } from "./status.ts";
import { checkPartnerFile, exportPartners, FileChangedError, importPartners, partnerFileRows } from "./repository.ts";
import { whatsappLink } from "./rows.ts";

const HINT = 'Run "seller-bot partners nearest --help" for usage.';

async function withDb(io: CliIO, fn: (database: Database) => Promise<number>): Promise<number> {
  const database = await openConfiguredDatabase(io.config.database);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** `partners import FILE [--json]`. */
export async function importCommand(io: CliIO, file: string, json: boolean): Promise<number> {
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
  return withDb(io, (database) => importFile(database, file, io, json));
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

/** `partners export`. */
export async function exportCommand(io: CliIO): Promise<number> {
  return withDb(io, async (database) => {
    await exportPartners(database.prisma, (chunk) => io.stdout.write(chunk));
    return 0;
  });
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

/** `partners nearest --json (--lat N --lon N | --place TEXT) [--limit K] [--category C]`; options as commander parsed them. */
export async function nearestCommand(io: CliIO, options: Record<string, string | boolean>): Promise<number> {
  const args = nearestSchema.safeParse(options);
  if (!args.success) return usageError(io, `${args.error.issues.map((i) => (i.path.length ? `--${i.path.join(".")}: ${i.message}` : i.message)).join("; ")}\n${HINT}`);
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

const userSchema = z.string().regex(/^(telegram|whatsapp|console):.+$/, "--user: expected CHANNEL:ID, e.g. telegram:123456789");

/** `partners approve PARTNER --user CHANNEL:ID`. */
export async function approveCommand(io: CliIO, ref: PartnerRef, userArg: string): Promise<number> {
  const user = userSchema.safeParse(userArg);
  if (!user.success) return usageError(io, user.error.issues[0]!.message);
  const [channel, ...id] = user.data.split(":");
  return withDb(io, async (database) => {
    const found = await resolvePartner(database.prisma, ref);
    if ("error" in found) return usageError(io, found.error);
    const result = await approveMemberByIdentity(database.prisma, found.partner.name, channel!, id.join(":"));
    if (!result.ok) return usageError(io, result.error);
    // The CLI runs no channel: the notice goes through the outbox, the running bot delivers it.
    const told = result.decision ? await withApp(io, (app) => queueDecisionNotice(app.deps, result.decision!, "approve")) : 0;
    io.stdout.write(`${user.data} is now a member of "${result.partner}" (role partner).${told ? " They are told by the running bot." : ""}\n`);
    return 0;
  });
}

async function withApp<T>(io: CliIO, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await createApp(io.config);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** `partners deactivate PARTNER` / `partners activate PARTNER`. */
export async function activeCommand(io: CliIO, ref: PartnerRef, active: boolean, json: boolean): Promise<number> {
  return withApp(io, async (app) => {
    const result = await setPartnerActive(app.deps, "id" in ref ? String(ref.id) : ref.name, active);
    if (!result.ok) return usageError(io, "id" in ref ? `No partner with id ${ref.id}.` : result.error);
    const { partner, changed, notified } = result;
    if (json) io.stdout.write(`${JSON.stringify({ name: partner.name, active: partner.active, changed, sellersTold: notified })}\n`);
    else if (!changed) io.stdout.write(`"${partner.name}" is already ${active ? "active" : "inactive"}; nothing changed.\n`);
    else if (active) io.stdout.write(`"${partner.name}" is active again and offered in the finder.\n`);
    else io.stdout.write(`"${partner.name}" is deactivated: hidden from the finder; ${notified} seller(s) will be told (by the running bot) and offered the nearest active partner.\n`);
    return 0;
  });
}

/** `partners requests [--json]`: pending partner account requests, oldest first. */
export async function requestsCommand(io: CliIO, json: boolean): Promise<number> {
  return withDb(io, async (database) => {
    const rows = await pendingRequests(database.prisma, 1000);
    if (json) {
      io.stdout.write(`${JSON.stringify(rows.map((r) => ({ id: r.id, user: r.userName, userId: r.userId, contact: r.contact, partner: r.partnerName, code: r.partnerCode, requestedAt: r.requestedAt.toISOString() })))}\n`);
      return 0;
    }
    if (rows.length === 0) {
      io.stdout.write("No partner account requests are waiting.\n");
      return 0;
    }
    for (const r of rows) {
      const who = await database.prisma.channelIdentity.findFirst({ where: { userId: r.userId }, orderBy: { id: "asc" }, select: { channel: true, externalId: true } });
      const user = who ? `${who.channel}:${who.externalId}` : `#${r.userId}`;
      io.stdout.write(`#${r.id} ${r.requestedAt.toISOString().slice(0, 10)} ${r.userName ?? user} → ${r.partnerName} (contact ${r.contact})\n   approve: seller-bot partners approve "${r.partnerName}" --user ${user}\n`);
    }
    return 0;
  });
}

/** `partners revoke --user CHANNEL:ID`. */
export async function revokeCommand(io: CliIO, userArg: string): Promise<number> {
  const user = userSchema.safeParse(userArg);
  if (!user.success) return usageError(io, user.error.issues[0]!.message);
  const [channel, ...id] = user.data.split(":");
  return withDb(io, async (database) => {
    const result = await revokeMemberByIdentity(database.prisma, channel!, id.join(":"), new Date());
    if (!result.ok) return usageError(io, result.error);
    io.stdout.write(`${user.data} no longer acts for "${result.partner}" (role seller).\n`);
    return 0;
  });
}
