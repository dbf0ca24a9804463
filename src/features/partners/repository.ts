/**
 * Partner directory storage: CSV import (validate all, then upsert by name in one
 * transaction) and export. Import never touches samples' flags, active or approved of
 * existing partners, and never deletes.
 */
import { csvCell, fromCsvCell } from "../../core/csv.ts";
import type { Db } from "../../db/client.ts";
import { CsvSyntaxError, parseCsv } from "./csv.ts";
import { invalidateDirectory } from "./directory.ts";
import { createCodeGenerator, PARTNER_COLUMNS, partnerRowSchema, type PartnerRowInput } from "./rows.ts";

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
    // Undo the apostrophe `partners export` puts before formula-like cells.
    const raw = Object.fromEntries(names.map((n, i) => [n, fromCsvCell(record.fields[i] ?? "")]));
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
type Field = (typeof FIELDS)[number];
type Stored = { id: number; name: string } & Pick<PartnerRowInput, Field>;
/** Rows per statement; each statement carries its rows as ONE JSON parameter. */
const WRITE_CHUNK = 5000;

/** Which SQL dialect raw statements use. */
export type Provider = "sqlite" | "postgresql";

/**
 * Upserts validated rows by name in ONE transaction: new names are inserted, changed rows
 * updated, identical rows left alone (so a second import of the same file writes nothing).
 * Imported partners are active and approved (an admin imports them). Reads and writes pass
 * the rows as one JSON parameter per statement (json_each / json_to_recordset): Prisma's
 * createMany, per-row update, or thousands of bound parameters cost many times more
 * (docs/decisions/0202-partner-import-batching.md).
 */
export async function importPartners(db: Db, provider: Provider, rows: PartnerRowInput[], options: { isSample?: boolean } = {}): Promise<ImportSummary> {
  const now = new Date();
  const sql = provider === "sqlite" ? SQLITE : POSTGRES;
  const summary = await db.$transaction(
    async (tx) => {
      const existing = new Map<string, Stored>();
      for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
        const names = JSON.stringify(rows.slice(i, i + WRITE_CHUNK).map((r) => r.name));
        for (const p of await tx.$queryRawUnsafe<Stored[]>(sql.existing, names)) existing.set(p.name, p);
      }
      const codes = await tx.$queryRawUnsafe<Array<{ code: string }>>(`SELECT "code" FROM "Partner"`);
      const newCode = createCodeGenerator(new Set(codes.map((c) => c.code)));
      const creates: Array<Record<string, unknown>> = [];
      const updates: Array<Record<string, unknown>> = [];
      let unchanged = 0;
      for (const r of rows) {
        const current = existing.get(r.name);
        const values = Object.fromEntries(FIELDS.map((f) => [f, r[f]]));
        if (!current) creates.push({ name: r.name, code: newCode(r.name), ...values });
        else if (FIELDS.some((f) => !same(current[f], r[f]))) updates.push({ id: current.id, ...values });
        else unchanged++;
      }
      const sample = options.isSample ? "TRUE" : "FALSE";
      for (let i = 0; i < creates.length; i += WRITE_CHUNK) {
        await tx.$executeRawUnsafe(sql.insert(sample), now, now, JSON.stringify(creates.slice(i, i + WRITE_CHUNK)));
      }
      for (let i = 0; i < updates.length; i += WRITE_CHUNK) {
        await tx.$executeRawUnsafe(sql.update, now, JSON.stringify(updates.slice(i, i + WRITE_CHUNK)));
      }
      return { rows: rows.length, created: creates.length, updated: updates.length, unchanged };
    },
    { timeout: 120_000, maxWait: 20_000 },
  );
  if (summary.created || summary.updated) invalidateDirectory(db);
  return summary;
}

/** Stored vs new value; raw SQL may return numbers as strings or bigints on some drivers. */
function same(a: unknown, b: unknown): boolean {
  return typeof b === "number" ? Number(a) === b : (a ?? null) === (b ?? null);
}

const COLUMNS = FIELDS.map((f) => `"${f}"`).join(",");
const sqliteValue = (f: string) => `json_extract(value, '$.${f}')`;

const SQLITE = {
  existing: `SELECT "id","name",${COLUMNS} FROM "Partner" WHERE "name" IN (SELECT value FROM json_each(?))`,
  insert: (sample: string) =>
    `INSERT INTO "Partner" ("name","code",${COLUMNS},"active","approved","isSample","createdAt","updatedAt")
     SELECT ${["name", "code", ...FIELDS].map(sqliteValue).join(",")},TRUE,TRUE,${sample},?,? FROM json_each(?)`,
  update: `UPDATE "Partner" SET ${FIELDS.map((f) => `"${f}" = v."${f}"`).join(", ")}, "updatedAt" = ?
     FROM (SELECT ${["id", ...FIELDS].map((f) => `${sqliteValue(f)} AS "${f}"`).join(",")} FROM json_each(?)) AS v WHERE "Partner"."id" = v."id"`,
};

const recordType = (fields: readonly string[]) =>
  fields.map((f) => `"${f}" ${f === "id" ? "integer" : f === "latitude" || f === "longitude" ? "double precision" : "text"}`).join(",");

const POSTGRES = {
  existing: `SELECT "id","name",${COLUMNS} FROM "Partner" WHERE "name" IN (SELECT json_array_elements_text($1::json))`,
  insert: (sample: string) =>
    `INSERT INTO "Partner" ("name","code",${COLUMNS},"active","approved","isSample","createdAt","updatedAt")
     SELECT "name","code",${COLUMNS},TRUE,TRUE,${sample},$1,$2 FROM json_to_recordset($3::json) AS x(${recordType(["name", "code", ...FIELDS])})`,
  update: `UPDATE "Partner" SET ${FIELDS.map((f) => `"${f}" = v."${f}"`).join(", ")}, "updatedAt" = $1
     FROM json_to_recordset($2::json) AS v(${recordType(["id", ...FIELDS])}) WHERE "Partner"."id" = v."id"`,
};

/**
 * Writes every partner as CSV (header first, in the order they were added) to `write`.
 * Cells are spreadsheet-safe ({@link csvCell}): `=HYPERLINK(…)`, `+cmd`, `@sum` get a
 * leading apostrophe that import removes again.
 */
export async function exportPartners(db: Db, write: (chunk: string) => void): Promise<number> {
  write(`${PARTNER_COLUMNS.join(",")}\n`);
  let count = 0;
  let cursor: number | undefined;
  // Paged by id so 100,000 partners never sit in memory at once.
  for (;;) {
    const page = await db.partner.findMany({ orderBy: { id: "asc" }, take: 2000, ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}) });
    if (page.length === 0) break;
    write(page.map((p) => `${PARTNER_COLUMNS.map((c) => csvCell(p[c])).join(",")}\n`).join(""));
    count += page.length;
    cursor = page[page.length - 1]!.id;
  }
  return count;
}
