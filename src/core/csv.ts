/**
 * CSV cells for files people open in a spreadsheet (progress exports, attendee lists).
 */

/**
 * Quotes a cell when needed; text starting with = + - @ gets a leading apostrophe so a
 * spreadsheet does not run a seller-supplied name as a formula.
 */
export function csvCell(value: unknown): string {
  let s = String(value ?? "");
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
