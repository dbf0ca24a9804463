/**
 * Minimal RFC 4180 CSV: quoted fields with commas, quotes and line breaks, CRLF or LF,
 * an optional UTF-8 byte-order mark (Excel writes one).
 */

/** A parsed record and the line it started on (1-based), for error messages. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Thrown for a malformed file (an unterminated quote). */
export class CsvSyntaxError extends Error {}

/** Parses CSV text into records; blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: start, fields });
    fields = [];
    field = "";
  };
  while (i < s.length) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && s[i + 1] === "\n") i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new CsvSyntaxError(`line ${start}: a quoted field is never closed`);
  endRecord();
  return records;
}

/** One CSV line (no line break), quoting only where needed. */
export function formatCsvLine(fields: Array<string | number | null | undefined>): string {
  return fields
    .map((f) => {
      const v = f === null || f === undefined ? "" : String(f);
      return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    })
    .join(",");
}
