/**
 * CSV cells for files people open in a spreadsheet (partner, progress and attendee
 * exports), and the inverse for files that come back (`partners import`).
 */

// Control characters a cell never carries (NUL, BEL, ESC, …); tab and line breaks stay.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
// A spreadsheet runs a cell starting with = + - @ (or tab / CR before them) as a formula.
// Apostrophes already in front count too, so that the prefix can be undone exactly.
const FORMULA = /^'*[=+\-@\t\r]/;

/**
 * Quotes a cell when needed, drops control characters, and puts a leading apostrophe in
 * front of text a spreadsheet would run as a formula (a seller's name "=HYPERLINK(…)").
 * {@link fromCsvCell} undoes the apostrophe, so an export imports back unchanged.
 */
export function csvCell(value: unknown): string {
  let s = String(value ?? "");
  if (typeof value === "string") {
    s = s.replace(CONTROL, "");
    if (FORMULA.test(s)) s = `'${s}`;
  }
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A cell's text as written before {@link csvCell} protected it: one leading apostrophe of a formula-like cell goes. */
export function fromCsvCell(cell: string): string {
  return /^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
