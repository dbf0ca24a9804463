/**
 * Partner directory storage: CSV import (validate all, then upsert by name in one
 * transaction) and export. Import never touches samples' flags, active or approved of
 * existing partners, and never deletes.
 */
import type { Db } from "../../db/client.ts";
import { CsvSyntaxError, formatCsvLine, parseCsv } from "./csv.ts";
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
/** Rows per multi-row INSERT/UPDATE: 1,000 × 13 parameters stays under both databases' limits. */
const WRITE_CHUNK = 1000;

/** Which SQL dialect raw statements use (placeholders differ: `?` vs `$1`). */
export type Provider = "sqlite" | "postgresql";

/**
 * Upserts validated rows by name in ONE transaction: new names are inserted, changed rows
 * updated, identical rows left alone (so a second import of the same file writes nothing).
 * Imported partners are active and approved (an admin imports them). The writes are
 * multi-row raw statements: Prisma's createMany/update per row cost ~10× more time
 * (docs/decisions/0202-partner-import-batching.md).
 */
export async function importPartners(db: Db, provider: Provider, rows: PartnerRowInput[], options: { isSample?: boolean } = {}): Promise<ImportSummary> {
  const now = new Date();
  const summary = await db.$transaction(
    async (tx) => {
      const existing = new Map<string, Awaited<ReturnType<typeof tx.partner.findMany>>[number]>();
      for (let i = 0; i < rows.length; i += CHUNK) {
        const found = await tx.partner.findMany({ where: { name: { in: rows.slice(i, i + CHUNK).map((r) => r.name) } } });
        for (const p of found) existing.set(p.name, p);
      }
      const newCode = createCodeGenerator(new Set((await tx.partner.findMany({ select: { code: true } })).map((p) => p.code)));
      const creates: unknown[][] = [];
      const updates: unknown[][] = [];
      let unchanged = 0;
      for (const r of rows) {
        const current = existing.get(r.name);
        if (!current) creates.push([r.name, newCode(r.name), ...FIELDS.map((f) => r[f])]);
        else if (FIELDS.some((f) => current[f] !== r[f])) updates.push([current.id, ...FIELDS.map((f) => r[f])]);
        else unchanged++;
      }
      const sample = options.isSample ? "TRUE" : "FALSE";
      for (let i = 0; i < creates.length; i += WRITE_CHUNK) {
        const chunk = creates.slice(i, i + WRITE_CHUNK);
        const p = placeholders(provider, 1);
        const values = chunk.map(() => `(${Array.from({ length: 11 }, p).join(",")},TRUE,TRUE,${sample},${p()},${p()})`).join(",");
        await tx.$executeRawUnsafe(
          `INSERT INTO "Partner" ("name","code",${FIELDS.map((f) => `"${f}"`).join(",")},"active","approved","isSample","createdAt","updatedAt") VALUES ${values}`,
          ...chunk.flatMap((row) => [...row, now, now]),
        );
      }
      for (let i = 0; i < updates.length; i += WRITE_CHUNK) {
        const chunk = updates.slice(i, i + WRITE_CHUNK);
        const p = placeholders(provider, 2);
        // VALUES columns are column1..columnN on both SQLite and PostgreSQL; casts give
        // PostgreSQL the types its untyped parameters lack.
        const values = chunk.map(() => `(CAST(${p()} AS INTEGER),${p()},${p()},CAST(${p()} AS DOUBLE PRECISION),CAST(${p()} AS DOUBLE PRECISION),${p()},${p()},${p()},${p()},${p()})`).join(",");
        const sets = FIELDS.map((f, k) => `"${f}" = v.column${k + 2}`).join(", ");
        await tx.$executeRawUnsafe(
          `UPDATE "Partner" SET ${sets}, "updatedAt" = ${provider === "sqlite" ? "?" : "$1"} FROM (VALUES ${values}) AS v WHERE "Partner"."id" = v.column1`,
          now,
          ...chunk.flat(),
        );
      }
      return { rows: rows.length, created: creates.length, updated: updates.length, unchanged };
    },
    { timeout: 120_000, maxWait: 20_000 },
  );
  if (summary.created || summary.updated) invalidateDirectory(db);
  return summary;
}

/** Placeholder generator: `?` for SQLite, `$n` (from `start`) for PostgreSQL. */
function placeholders(provider: Provider, start: number): () => string {
  let n = start;
  return provider === "sqlite" ? () => "?" : () => `$${n++}`;
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
