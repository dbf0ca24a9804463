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

const PLAIN = /[^",\r\n]*/y;

/** Parses CSV text into records; blank lines are skipped. Scans by slices, not characters. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let line = 1;
  let start = 1;
  let i = 0;
  while (i <= s.length) {
    let value: string;
    if (s[i] === '"') {
      // Quoted field: up to the closing quote; "" inside is one quote.
      let out = "";
      let from = i + 1;
      for (;;) {
        const q = s.indexOf('"', from);
        if (q < 0) throw new CsvSyntaxError(`line ${start}: a quoted field is never closed`);
        out += s.slice(from, q);
        if (s[q + 1] === '"') {
          out += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      for (let k = out.indexOf("\n"); k >= 0; k = out.indexOf("\n", k + 1)) line++;
      // Text after the closing quote up to the delimiter is kept (lenient, like spreadsheets).
      PLAIN.lastIndex = i;
      value = out + (PLAIN.exec(s)?.[0] ?? "");
      i = PLAIN.lastIndex;
    } else {
      PLAIN.lastIndex = i;
      value = PLAIN.exec(s)?.[0] ?? "";
      i = PLAIN.lastIndex;
      if (s[i] === '"') {
        // A quote inside an unquoted field is taken literally.
        const end = s.slice(i).search(/[,\r\n]/);
        const stop = end < 0 ? s.length : i + end;
        value += s.slice(i, stop);
        i = stop;
      }
    }
    fields.push(value);
    const c = s[i];
    if (c === ",") {
      i++;
      continue;
    }
    // End of record: line break or end of text.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: start, fields });
    fields = [];
    if (c === "\r" && s[i + 1] === "\n") i++;
    i++;
    line++;
    start = line;
  }
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
