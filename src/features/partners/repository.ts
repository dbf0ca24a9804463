/**
 * Partner directory storage: CSV import (validate all, then upsert by name in one
 * transaction) and export. Import never touches samples' flags, active or approved of
 * existing partners, and never deletes.
 */
import type { Db } from "../../db/client.ts";
import { CsvSyntaxError, formatCsvLine, parseCsv } from "./csv.ts";
import { invalidateDirectory } from "./directory.ts";
import { codeFromName, PARTNER_COLUMNS, partnerRowSchema, type PartnerRowInput } from "./rows.ts";

/** One problem in an import file. `row` counts like a spreadsheet: the header is row 1. */
export interface RowError {
  row: number;
  field: string;
  message: string;
}

/** The result of validating a CSV file. */
export type ParsedCsv = { ok: true; rows: Array<PartnerRowInput & { row: number }> } | { ok: false; errors: RowError[] };

/** What an import did. */
export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** Validates a whole partner CSV; every bad row and field is reported, nothing stops early. */
export function parsePartnerCsv(text: string): ParsedCsv {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { ok: false, errors: [{ row: 0, field: "file", message: error.message }] };
    throw error;
  }
  const [header, ...data] = records;
  if (!header) return { ok: false, errors: [{ row: 1, field: "header", message: `the file is empty; expected the header ${PARTNER_COLUMNS.join(",")}` }] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = PARTNER_COLUMNS.filter((c) => !names.includes(c));
  const unknown = names.filter((n) => !(PARTNER_COLUMNS as readonly string[]).includes(n));
  if (missing.length || unknown.length) {
    const parts = [missing.length ? `missing column(s) ${missing.join(", ")}` : "", unknown.length ? `unknown column(s) ${unknown.join(", ")}` : ""].filter(Boolean);
    return { ok: false, errors: [{ row: 1, field: "header", message: `${parts.join("; ")}; expected ${PARTNER_COLUMNS.join(",")}` }] };
  }
  const errors: RowError[] = [];
  const rows: Array<PartnerRowInput & { row: number }> = [];
  const seen = new Map<string, number>();
  data.forEach((record, index) => {
    const row = index + 2;
    if (record.fields.length !== names.length) {
      errors.push({ row, field: "row", message: `has ${record.fields.length} fields, the header has ${names.length}` });
      return;
    }
    const raw = Object.fromEntries(names.map((n, i) => [n, record.fields[i] ?? ""]));
    const parsed = partnerRowSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? "row");
        if (!fields.has(field)) errors.push({ row, field, message: issue.message }); // first problem per field
        fields.add(field);
      }
      return;
    }
    const key = parsed.data.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) errors.push({ row, field: "name", message: `duplicate of row ${first}` });
    else seen.set(key, row);
    rows.push({ ...parsed.data, row });
  });
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

const FIELDS = ["city", "address", "latitude", "longitude", "phone", "whatsapp", "telegram", "categories", "languages"] as const;
const CHUNK = 500;

/**
 * Upserts validated rows by name in ONE transaction: new names are created (createMany in
 * chunks), changed rows updated, identical rows left alone (so a second import of the same
 * file writes nothing). Imported partners are active and approved (an admin imports them).
 */
export async function importPartners(db: Db, rows: PartnerRowInput[], options: { isSample?: boolean } = {}): Promise<ImportSummary> {
  const summary = await db.$transaction(
    async (tx) => {
      const existing = new Map<string, Awaited<ReturnType<typeof tx.partner.findMany>>[number]>();
      for (let i = 0; i < rows.length; i += CHUNK) {
        const found = await tx.partner.findMany({ where: { name: { in: rows.slice(i, i + CHUNK).map((r) => r.name) } } });
        for (const p of found) existing.set(p.name, p);
      }
      const codes = new Set((await tx.partner.findMany({ select: { code: true } })).map((p) => p.code));
      const creates = [];
      let updated = 0;
      let unchanged = 0;
      for (const r of rows) {
        const current = existing.get(r.name);
        if (!current) {
          const code = codeFromName(r.name, (c) => codes.has(c));
          codes.add(code);
          creates.push({ name: r.name, code, ...pick(r), active: true, approved: true, isSample: options.isSample ?? false });
          continue;
        }
        const changes = Object.fromEntries(FIELDS.filter((f) => current[f] !== r[f]).map((f) => [f, r[f]]));
        if (Object.keys(changes).length === 0) {
          unchanged++;
          continue;
        }
        await tx.partner.update({ where: { id: current.id }, data: changes });
        updated++;
      }
      for (let i = 0; i < creates.length; i += CHUNK) await tx.partner.createMany({ data: creates.slice(i, i + CHUNK) });
      return { rows: rows.length, created: creates.length, updated, unchanged };
    },
    { timeout: 120_000, maxWait: 20_000 },
  );
  if (summary.created || summary.updated) invalidateDirectory(db);
  return summary;
}

function pick(r: PartnerRowInput) {
  return Object.fromEntries(FIELDS.map((f) => [f, r[f]])) as Pick<PartnerRowInput, (typeof FIELDS)[number]>;
}

/** Writes every partner as CSV (header first, in the order they were added) to `write`. */
export async function exportPartners(db: Db, write: (chunk: string) => void): Promise<number> {
  write(`${PARTNER_COLUMNS.join(",")}\n`);
  let count = 0;
  let cursor: number | undefined;
  // Paged by id so 100,000 partners never sit in memory at once.
  for (;;) {
    const page = await db.partner.findMany({ orderBy: { id: "asc" }, take: 2000, ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}) });
    if (page.length === 0) break;
    write(page.map((p) => `${formatCsvLine(PARTNER_COLUMNS.map((c) => p[c]))}\n`).join(""));
    count += page.length;
    cursor = page[page.length - 1]!.id;
  }
  return count;
}
