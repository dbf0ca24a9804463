/**
 * `seller-bot events …`: create from a JSON file, announce, list, cancel, attendees.
 * Output is JSON on stdout (CSV for `attendees --format csv`); bad input is one line on
 * stderr and exit code 2; nothing is written half-way.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { createApp, type App } from "../../app.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { UserFacingError } from "../../core/errors.ts";
import type { Audience } from "../broadcasts/api.ts";
import { findPartnerByName } from "../partners/api.ts";
import { announceEvent } from "./announce.ts";
import { rsvpCounts } from "./api.ts";
import { attendeesCsv, listAttendees } from "./export.ts";
import { describeIssues, eventFileSchema } from "./schema.ts";
import { cancelEvent, createEvent } from "./service.ts";
import { isoPkt } from "./time.ts";

const USAGE = [
  "usage: seller-bot events create FILE.json",
  "       seller-bot events announce EVENT_ID [--audience all|city:NAME|partner:NAME] --json",
  "       seller-bot events list",
  "       seller-bot events cancel EVENT_ID",
  "       seller-bot events attendees EVENT_ID [--format csv|json]",
].join("\n");

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** Entry point for `seller-bot events`. */
export async function runEvents(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const run = sub ? SUBCOMMANDS[sub] : undefined;
  if (!run) return usageError(io, sub ? `Unknown events command "${sub}".\n${USAGE}` : USAGE);
  let app: App | undefined;
  try {
    return await run(rest, io, async () => (app ??= await createApp(io.config)));
  } catch (error) {
    if (error instanceof UserFacingError && app) return usageError(io, app.deps.i18n.t("en")(error.key, error.params));
    throw error;
  } finally {
    await app?.close();
  }
}

type Sub = (args: string[], io: CliIO, open: () => Promise<App>) => Promise<number>;

const SUBCOMMANDS: Record<string, Sub> = {
  create: async (args, io, open) => {
    const [file, ...extra] = args;
    if (!file || extra.length) return usageError(io, "usage: seller-bot events create FILE.json");
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
    const app = await open();
    const partner = e.partner ? await findPartnerByName(app.deps.db, e.partner) : null;
    if (e.partner && !partner) return usageError(io, `${file}: partner: no partner named "${e.partner}"`);
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
    });
    io.stdout.write(`${JSON.stringify({ id: event.id })}\n`);
    return 0;
  },

  announce: async (args, io, open) => {
    const opts = parseFlags(args, ["audience"], ["json"]);
    if ("error" in opts || opts.positional.length !== 1) return usageError(io, "error" in opts ? opts.error : "usage: seller-bot events announce EVENT_ID [--audience all|city:NAME|partner:NAME] --json");
    const id = idSchema.safeParse(opts.positional[0]);
    if (!id.success) return usageError(io, `EVENT_ID: expected a positive whole number, got "${opts.positional[0]}"`);
    const app = await open();
    let audience: Audience | undefined;
    if (opts.values.audience !== undefined) {
      const a = await parseAudience(app, opts.values.audience);
      if (typeof a === "string") return usageError(io, a);
      audience = a;
    }
    const result = await announceEvent(app.deps, id.data, null, audience);
    io.stdout.write(opts.flags.has("json") ? `${JSON.stringify(result)}\n` : `Broadcast ${result.broadcastId} queued for ${result.recipients} recipients; the running "seller-bot start" delivers it.\n`);
    return 0;
  },

  list: async (args, io, open) => {
    if (args.some((a) => a !== "--json")) return usageError(io, "usage: seller-bot events list");
    const app = await open();
    const events = await app.deps.db.event.findMany({ orderBy: { startsAt: "asc" } });
    const out = [];
    for (const e of events) {
      out.push({ id: e.id, title: e.titleEn, status: e.status, startsAt: e.startsAt.toISOString(), startsAtPkt: isoPkt(e.startsAt), venue: e.venueName, capacity: e.capacity, partnerId: e.partnerId, isSample: e.isSample, ...(await rsvpCounts(app.deps.db, e.id)) });
    }
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  },

  cancel: async (args, io, open) => {
    const id = idSchema.safeParse(args[0]);
    if (args.length !== 1 || !id.success) return usageError(io, "usage: seller-bot events cancel EVENT_ID");
    const app = await open();
    const { event, notified } = await cancelEvent(app.deps, id.data);
    io.stdout.write(`${JSON.stringify({ id: event.id, status: event.status, notified })}\n`);
    return 0;
  },

  attendees: async (args, io, open) => {
    const opts = parseFlags(args, ["format"], []);
    if ("error" in opts || opts.positional.length !== 1) return usageError(io, "error" in opts ? opts.error : "usage: seller-bot events attendees EVENT_ID [--format csv|json]");
    const id = idSchema.safeParse(opts.positional[0]);
    const format = opts.values.format ?? "json";
    if (!id.success) return usageError(io, `EVENT_ID: expected a positive whole number, got "${opts.positional[0]}"`);
    if (format !== "csv" && format !== "json") return usageError(io, `--format: expected csv or json, got "${format}"`);
    const app = await open();
    const event = await app.deps.db.event.findUnique({ where: { id: id.data } });
    if (!event) return usageError(io, `event ${id.data} does not exist`);
    const list = await listAttendees(app.deps.db, id.data);
    io.stdout.write(format === "csv" ? attendeesCsv(list) : `${JSON.stringify(list.map((a) => ({ ...a, answeredAt: a.answeredAt.toISOString() })))}\n`);
    return 0;
  },
};

/** `--name value`, `--name=value` and boolean `--flag`; anything else is positional. */
function parseFlags(args: string[], valued: string[], booleans: string[]): { positional: string[]; values: Record<string, string>; flags: Set<string> } | { error: string } {
  const positional: string[] = [];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (booleans.includes(name)) flags.add(name);
    else if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) return { error: `--${name} needs a value` };
      values[name] = value;
    } else return { error: `unknown option --${name}` };
  }
  return { positional, values, flags };
}

/** all | city:NAME | partner:NAME */
async function parseAudience(app: App, raw: string): Promise<Audience | string> {
  if (raw === "all") return { kind: "all" };
  const m = /^(city|partner):(.+)$/s.exec(raw);
  if (!m) return `--audience: expected all, city:NAME or partner:NAME, got "${raw}"`;
  const value = m[2]!.trim();
  if (m[1] === "city") return { kind: "city", city: value };
  const partner = await findPartnerByName(app.deps.db, value);
  return partner ? { kind: "partner", partnerId: partner.id } : `--audience: no partner named "${value}"`;
}
