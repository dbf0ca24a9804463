/**
 * Minimal RFC 4180 CSV: quoted fields with commas, quotes and line breaks, CRLF or LF,
 * an optional UTF-8 byte-order mark (Excel writes one). Files are read as a stream of
 * text ({@link readCsvFile}) and parsed as a stream of records ({@link parseCsvStream}),
 * so a 50 MB file is never held in memory whole.
 */
import { createReadStream } from "node:fs";

/** A parsed record and the line it started on (1-based), for error messages. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Thrown for a malformed file (an unterminated quote). */
export class CsvSyntaxError extends Error {}

const PLAIN = /[^",\r\n]*/y;

/**
 * Parses CSV text into records; blank lines are skipped. Scans by slices, not characters.
 * `firstLine` is the line number the text starts on (for a piece of a longer file).
 */
export function parseCsv(text: string, firstLine = 1): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let line = firstLine;
  let start = firstLine;
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

/**
 * Parses a stream of text chunks into records, the same as {@link parseCsv} on the whole
 * text. Each chunk is cut after its last line break outside quotes; the rest waits for
 * the next chunk, so a quoted field may span chunks.
 */
export async function* parseCsvStream(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let carry = "";
  let line = 1;
  // Quote parity of `carry` up to `scanned`: "" inside a quoted field counts twice, so
  // parity alone says whether a position is inside quotes.
  let quoted = false;
  let scanned = 0;
  let cut = -1;
  for await (const chunk of chunks) {
    carry += chunk;
    for (let i = scanned; i < carry.length; i++) {
      const c = carry.charCodeAt(i);
      if (c === 0x22) quoted = !quoted;
      else if (c === 0x0a && !quoted) cut = i;
    }
    scanned = carry.length;
    if (cut < 0) continue;
    const piece = carry.slice(0, cut + 1);
    yield* parseCsv(piece, line);
    line += countLines(piece);
    carry = carry.slice(cut + 1);
    scanned = carry.length;
    // The rest after the cut was scanned from outside quotes; recount its parity.
    quoted = (carry.split('"').length - 1) % 2 === 1;
    cut = -1;
  }
  if (carry) yield* parseCsv(carry, line);
}

function countLines(text: string): number {
  let n = 0;
  for (let k = text.indexOf("\n"); k >= 0; k = text.indexOf("\n", k + 1)) n++;
  return n;
}

/** Raised for a file that is not text in an encoding we read (UTF-8, or UTF-16 with a byte-order mark). */
export class CsvEncodingError extends Error {}

/**
 * Reads a file as text chunks: UTF-8 (with or without a byte-order mark), or UTF-16 with
 * a byte-order mark (Excel's "Unicode text"). Anything else is refused with
 * {@link CsvEncodingError}, naming the line of the first byte that is not UTF-8: read as
 * UTF-8, a Latin-1 "é" would silently become "�" in the directory.
 */
export async function* readCsvFile(path: string, chunkBytes = 1 << 20): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let line = 1;
  for await (const raw of createReadStream(path, { highWaterMark: chunkBytes })) {
    const bytes = raw as Buffer;
    if (!decoder) {
      decoder = new TextDecoder(encodingOf(bytes), { fatal: true });
    }
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch {
      throw new CsvEncodingError(`the file is not UTF-8 (line ${line + lineOfBadByte(bytes)} has a byte that is not; it is probably Latin-1 or Windows-1252). Save it as "CSV UTF-8" (Excel: File → Save As → CSV UTF-8) and import it again`);
    }
    line += countLines(text);
    yield text;
  }
  if (decoder) {
    try {
      const rest = decoder.decode();
      if (rest) yield rest;
    } catch {
      throw new CsvEncodingError(`the file is not UTF-8 (it ends in the middle of a character). Save it as "CSV UTF-8" and import it again`);
    }
  }
}

/** The encoding from the byte-order mark; UTF-16 without one is refused (NUL bytes in text). */
function encodingOf(start: Buffer): "utf-8" | "utf-16le" | "utf-16be" {
  if (start[0] === 0xff && start[1] === 0xfe) return "utf-16le";
  if (start[0] === 0xfe && start[1] === 0xff) return "utf-16be";
  const sample = start.subarray(0, 4096);
  const zeros = sample.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
  if (sample.length >= 2 && zeros * 4 >= sample.length) {
    throw new CsvEncodingError('the file is not UTF-8 (it looks like UTF-16 without a byte-order mark). Save it as "CSV UTF-8" and import it again');
  }
  return "utf-8";
}

/** Line breaks before the first invalid UTF-8 sequence of a chunk (0 when it is in the first line). */
function lineOfBadByte(bytes: Buffer): number {
  let lines = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return lines;
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if (c === undefined) return lines; // cut by the chunk: the next chunk's check finds it
      if ((c & 0xc0) !== 0x80) return lines;
    }
    if (b === 0x0a) lines++;
    i += len;
  }
  return lines;
}
