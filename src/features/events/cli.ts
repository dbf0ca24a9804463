/**
 * `seller-bot events …`: create from a JSON file, announce, list, cancel, attendees.
 * Output is JSON on stdout (CSV for `attendees --format csv`); bad input is one line on
 * stderr and exit code 2; nothing is written half-way. Arguments are declared in ./commands.ts.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { createApp, type App } from "../../app.ts";
import { parsePartnerRef } from "../../cli/define.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { resolvePartner } from "../../cli/partner-ref.ts";
import { UserFacingError } from "../../core/errors.ts";
import type { Audience } from "../broadcasts/api.ts";
import { announceEvent } from "./announce.ts";
import { rsvpCounts } from "./api.ts";
import { attendeesCsv, listAttendees } from "./export.ts";
import { describeIssues, eventFileSchema } from "./schema.ts";
import { cancelEvent, createEvent } from "./service.ts";
import { isoPkt } from "./time.ts";

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** Opens the app for one command, and answers a refusal of the service in one line. */
async function withApp(io: CliIO, fn: (app: App) => Promise<number>): Promise<number> {
  let app: App | undefined;
  try {
    app = await createApp(io.config);
    return await fn(app);
  } catch (error) {
    if (error instanceof UserFacingError && app) return usageError(io, app.deps.i18n.t("en")(error.key, error.params));
    throw error;
  } finally {
    await app?.close();
  }
}

function eventId(io: CliIO, raw: string): number | undefined {
  const id = idSchema.safeParse(raw);
  if (id.success) return id.data;
  usageError(io, `EVENT_ID: expected a positive whole number, got "${raw}"`);
  return undefined;
}

/** `events create FILE`. */
export async function createCommand(io: CliIO, file: string): Promise<number> {
  let json: unknown;
  try {
    // A UTF-8 byte-order mark (Notepad, some editors) is not part of the JSON.
    json = JSON.parse(readFileSync(file, "utf8").replace(/^\ufeff/, ""));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return usageError(io, code === "ENOENT" ? `${file}: no such file` : `${file}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = eventFileSchema.safeParse(json);
  if (!parsed.success) return usageError(io, `${file}: ${describeIssues(parsed.error)}`);
  const e = parsed.data;
  if (e.sampleDaysFromNow !== undefined) return usageError(io, `${file}: sampleDaysFromNow: only for sample content, not for events create`);
  return withApp(io, async (app) => {
    let partner: { id: number } | null = null;
    if (e.partner?.trim()) {
      // A name, or an id (as everywhere in the CLI).
      const found = await resolvePartner(app.deps.db, parsePartnerRef(e.partner));
      if ("error" in found) return usageError(io, /^\d+$/.test(e.partner.trim()) ? `${file}: partner: ${found.error}` : `${file}: partner: no partner named "${e.partner}"`);
      partner = found.partner;
    }
    const now = app.deps.now();
    if (e.startsAt <= now) return usageError(io, `${file}: startsAt: ${e.startsAt.toISOString()} is in the past`);
    const event = await createEvent(app.deps, {
      title: e.title,
      description: e.description,
      venue: e.venue,
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      capacity: e.capacity,
      partnerId: partner?.id ?? null,
      createdByUserId: null,
      status: e.status,
      // The same file run twice must not make two events (sellers would answer each).
    }, { refuseDuplicate: true });
    io.stdout.write(`${JSON.stringify({ id: event.id })}\n`);
    return 0;
  });
}

/** `events announce EVENT_ID [--audience …] [--json]`. */
export async function announceCommand(io: CliIO, rawId: string, opts: { audience?: string; json?: boolean; force?: boolean }): Promise<number> {
  const id = eventId(io, rawId);
  if (id === undefined) return 2;
  return withApp(io, async (app) => {
    const sample = await app.deps.db.event.findUnique({ where: { id }, select: { isSample: true, titleEn: true } });
    if (sample?.isSample && !opts.force) {
      // Sample events are fictional: announcing one tells real people about a summit that does not exist.
      return usageError(io, `event ${id} ("${sample.titleEn}") is a sample event, not a real one; add --force to announce it anyway, or "seller-bot samples remove" to take the samples out.`);
    }
    let audience: Audience | undefined;
    if (opts.audience !== undefined) {
      const a = await parseAudience(app, opts.audience);
      if (typeof a === "string") return usageError(io, a);
      audience = a;
    }
    const result = await announceEvent(app.deps, id, null, audience);
    io.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `Broadcast ${result.broadcastId} queued for ${result.recipients} recipients; the running "seller-bot start" delivers it.\n`);
    return 0;
  });
}

/** `events list`. */
export async function listCommand(io: CliIO): Promise<number> {
  return withApp(io, async (app) => {
    const events = await app.deps.db.event.findMany({ orderBy: { startsAt: "asc" } });
    const out = [];
    for (const e of events) {
      out.push({ id: e.id, title: e.titleEn, status: e.status, startsAt: e.startsAt.toISOString(), startsAtPkt: isoPkt(e.startsAt), venue: e.venueName, capacity: e.capacity, partnerId: e.partnerId, isSample: e.isSample, ...(await rsvpCounts(app.deps.db, e.id)) });
    }
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  });
}

/** `events cancel EVENT_ID`. */
export async function cancelCommand(io: CliIO, rawId: string): Promise<number> {
  const id = eventId(io, rawId);
  if (id === undefined) return 2;
  return withApp(io, async (app) => {
    const { event, notified } = await cancelEvent(app.deps, id);
    io.stdout.write(`${JSON.stringify({ id: event.id, status: event.status, notified })}\n`);
    return 0;
  });
}

/** `events attendees EVENT_ID [--format csv|json]`. */
export async function attendeesCommand(io: CliIO, rawId: string, format: "csv" | "json"): Promise<number> {
  const id = eventId(io, rawId);
  if (id === undefined) return 2;
  return withApp(io, async (app) => {
    const event = await app.deps.db.event.findUnique({ where: { id } });
    if (!event) return usageError(io, `event ${id} does not exist`);
    const list = await listAttendees(app.deps.db, id);
    io.stdout.write(format === "csv" ? attendeesCsv(list) : `${JSON.stringify(list.map((a) => ({ ...a, answeredAt: a.answeredAt.toISOString() })))}\n`);
    return 0;
  });
}

/** all | city:NAME | partner:NAME */
async function parseAudience(app: App, raw: string): Promise<Audience | string> {
  if (raw === "all") return { kind: "all" };
  const m = /^(city|partner):(.+)$/s.exec(raw);
  if (!m) return `--audience: expected all, city:NAME or partner:NAME, got "${raw}"`;
  const value = m[2]!.trim();
  if (value === "") return `--audience: expected a name after "${m[1]}:"`;
  if (m[1] === "city") return { kind: "city", city: value };
  const found = await resolvePartner(app.deps.db, parsePartnerRef(value));
  return "error" in found ? `--audience: ${found.error}` : { kind: "partner", partnerId: found.partner.id };
}
