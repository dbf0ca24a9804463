/**
 * Partner directory storage: CSV import (validate all, then upsert by name in one
 * transaction) and export. Import never touches samples' flags, active or approved of
 * existing partners, and never deletes. A file is read twice as a stream (check every
 * row, then write), so its size is not held in memory.
 */
import { csvCell, fromCsvCell } from "../../core/csv.ts";
import type { Db } from "../../db/client.ts";
import { CsvEncodingError, CsvSyntaxError, parseCsv, parseCsvStream, readCsvFile, type CsvRecord } from "./csv.ts";
import { invalidateDirectory } from "./directory.ts";
import { createCodeGenerator, PARTNER_COLUMNS, partnerRowSchema, type PartnerRowInput } from "./rows.ts";

/** One problem in an import file. `row` counts like a spreadsheet: the header is row 1. */
export interface RowError {
  row: number;
  field: string;
  message: string;
}

/** A validated row and its spreadsheet row number. */
export type PartnerRow = PartnerRowInput & { row: number };

/** The result of validating a CSV file. */
export type ParsedCsv = { ok: true; rows: PartnerRow[] } | { ok: false; errors: RowError[] };

/** What an import did. */
export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** Problems listed at most per file: a file in the wrong format would otherwise list millions. */
export const MAX_LISTED_ERRORS = 200;

/**
 * Checks records one at a time: the first is the header (every column once, no unknown
 * one), then each row (field count, zod, names unique in the file).
 */
function createRowChecker() {
  let names: string[] | undefined;
  let index = 0;
  const seen = new Map<string, number>();
  return (record: CsvRecord): { row?: PartnerRow; errors: RowError[] } => {
    if (!names) {
      names = record.fields.map((f) => f.trim().toLowerCase());
      const problem = headerProblem(names);
      return { errors: problem ? [{ row: 1, field: "header", message: problem }] : [] };
    }
    const row = (index += 1) + 1;
    if (record.fields.length !== names.length) return { errors: [{ row, field: "row", message: `has ${record.fields.length} fields, the header has ${names.length}` }] };
    // Undo the apostrophe `partners export` puts before formula-like cells.
    const raw = Object.fromEntries(names.map((n, i) => [n, fromCsvCell(record.fields[i] ?? "")]));
    const parsed = partnerRowSchema.safeParse(raw);
    if (!parsed.success) {
      const errors: RowError[] = [];
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? "row");
        if (!errors.some((e) => e.field === field)) errors.push({ row, field, message: issue.message }); // first problem per field
      }
      return { errors };
    }
    const key = parsed.data.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) return { errors: [{ row, field: "name", message: `duplicate of row ${first}` }] };
    seen.set(key, row);
    return { row: { ...parsed.data, row }, errors: [] };
  };
}

function headerProblem(names: string[]): string | null {
  const missing = PARTNER_COLUMNS.filter((c) => !names.includes(c));
  const unknown = [...new Set(names.filter((n) => !(PARTNER_COLUMNS as readonly string[]).includes(n)))];
  const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i && !unknown.includes(n)))];
  const parts = [
    twice.length ? `duplicate column(s) ${twice.join(", ")}` : "",
    missing.length ? `missing column(s) ${missing.join(", ")}` : "",
    unknown.length ? `unknown column(s) ${unknown.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? `${parts.join("; ")}; expected ${PARTNER_COLUMNS.join(",")} (each once)` : null;
}

const EMPTY: RowError = { row: 1, field: "header", message: `the file is empty; expected the header ${PARTNER_COLUMNS.join(",")}` };

/** Validates a whole partner CSV; every bad row and field is reported, nothing stops early. */
export function parsePartnerCsv(text: string): ParsedCsv {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { ok: false, errors: [{ row: 0, field: "file", message: error.message }] };
    throw error;
  }
  if (records.length === 0) return { ok: false, errors: [EMPTY] };
  const check = createRowChecker();
  const errors: RowError[] = [];
  const rows: PartnerRow[] = [];
  for (let i = 0; i < records.length; i++) {
    const result = check(records[i]!);
    errors.push(...result.errors);
    if (result.row) rows.push(result.row);
    if (i === 0 && errors.length) break; // a bad header: rows cannot be read
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

/** What checking a file found: the number of good rows, or the problems (at most {@link MAX_LISTED_ERRORS}). */
export type FileCheck = { ok: true; rows: number } | { ok: false; errors: RowError[]; badRows: number };

/** Checks a partner CSV file row by row as a stream (pass one of an import). */
export async function checkPartnerFile(path: string): Promise<FileCheck> {
  const check = createRowChecker();
  const errors: RowError[] = [];
  const bad = new Set<number>();
  let rows = 0;
  let first = true;
  try {
    for await (const record of parseCsvStream(readCsvFile(path))) {
      const result = check(record);
      for (const e of result.errors) {
        bad.add(e.row);
        if (errors.length < MAX_LISTED_ERRORS) errors.push(e);
      }
      if (first && result.errors.length) return { ok: false, errors, badRows: 1 };
      first = false;
      if (result.row) rows++;
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError || error instanceof CsvEncodingError) return { ok: false, errors: [...errors, { row: 0, field: "file", message: error.message }], badRows: bad.size };
    throw error;
  }
  if (first) return { ok: false, errors: [EMPTY], badRows: 1 };
  return bad.size ? { ok: false, errors, badRows: bad.size } : { ok: true, rows };
}

/** Raised in pass two when a row that passed pass one no longer does (the file changed in between). */
export class FileChangedError extends Error {}

/** The validated rows of a file already checked by {@link checkPartnerFile}, as a stream (pass two). */
export async function* partnerFileRows(path: string): AsyncGenerator<PartnerRow> {
  const check = createRowChecker();
  for await (const record of parseCsvStream(readCsvFile(path))) {
    const { row, errors } = check(record);
    if (errors.length) throw new FileChangedError(`the file changed while it was being imported (row ${errors[0]!.row}); nothing was imported`);
    if (row) yield row;
  }
}

const FIELDS = ["city", "address", "latitude", "longitude", "phone", "whatsapp", "telegram", "categories", "languages"] as const;
type Field = (typeof FIELDS)[number];
type Stored = { id: number; name: string } & Pick<PartnerRowInput, Field>;
/** Rows per statement; each statement carries its rows as ONE JSON parameter. */
const WRITE_CHUNK = 2000;

/** Which SQL dialect raw statements use. */
export type Provider = "sqlite" | "postgresql";

/**
 * Upserts validated rows by name in ONE transaction: new names are inserted, changed rows
 * updated, identical rows left alone (so a second import of the same file writes nothing).
 * Imported partners are active and approved (an admin imports them). Rows may come as a
 * stream; they are handled in chunks that carry their rows as one JSON parameter per
 * statement (json_each / json_to_recordset): Prisma's createMany, per-row update, or
 * thousands of bound parameters cost many times more (docs/decisions/0202).
 */
export async function importPartners(db: Db, provider: Provider, rows: Iterable<PartnerRowInput> | AsyncIterable<PartnerRowInput>, options: { isSample?: boolean } = {}): Promise<ImportSummary> {
  const now = new Date();
  const sql = provider === "sqlite" ? SQLITE : POSTGRES;
  const summary = await db.$transaction(
    async (tx) => {
      // SQLite: take the write lock before reading. A transaction that reads first and
      // writes later fails at once ("database is locked") if another process (a running
      // bot) wrote in between; one that writes first waits for the lock (busy_timeout).
      if (provider === "sqlite") await tx.$executeRawUnsafe(`UPDATE "Partner" SET "id" = "id" WHERE FALSE`);
      const codes = await tx.$queryRawUnsafe<Array<{ code: string }>>(`SELECT "code" FROM "Partner"`);
      const newCode = createCodeGenerator(new Set(codes.map((c) => c.code)));
      const total: ImportSummary = { rows: 0, created: 0, updated: 0, unchanged: 0 };
      for await (const chunk of chunksOf(rows, WRITE_CHUNK)) {
        const existing = new Map<string, Stored>();
        for (const p of await tx.$queryRawUnsafe<Stored[]>(sql.existing, JSON.stringify(chunk.map((r) => r.name)))) existing.set(p.name, p);
        const creates: Array<Record<string, unknown>> = [];
        const updates: Array<Record<string, unknown>> = [];
        for (const r of chunk) {
          const current = existing.get(r.name);
          const values = Object.fromEntries(FIELDS.map((f) => [f, r[f]]));
          if (!current) creates.push({ name: r.name, code: newCode(r.name), ...values });
          else if (FIELDS.some((f) => !same(current[f], r[f]))) updates.push({ id: current.id, ...values });
          else total.unchanged++;
        }
        const sample = options.isSample ? "TRUE" : "FALSE";
        if (creates.length) await tx.$executeRawUnsafe(sql.insert(sample), now, now, JSON.stringify(creates));
        if (updates.length) await tx.$executeRawUnsafe(sql.update, now, JSON.stringify(updates));
        total.rows += chunk.length;
        total.created += creates.length;
        total.updated += updates.length;
      }
      return total;
    },
    { timeout: 300_000, maxWait: 20_000 },
  );
  if (summary.created || summary.updated) invalidateDirectory(db);
  return summary;
}

async function* chunksOf<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
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
