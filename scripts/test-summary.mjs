// The closing lines of `npm test` (scripts/test.mjs): what ran, what was skipped, what
// failed. Separate so a test can check it says no more than what happened.

/**
 * @param {{ ran: string[], skipped: string[], failures: string[], counts: { passed: number, failed: number, skipped: number }, filter?: string[] }} r
 *   `ran`: checks that ran ("typecheck", "SQLite", "PostgreSQL"); `skipped`: checks not run, with why.
 * @returns {string[]} lines to print
 */
export function summaryLines({ ran, skipped, failures, counts, filter = [] }) {
  const lines = [];
  if (failures.length) lines.push(`FAILED: ${failures.join(", ")}`);
  else if (ran.length === 0) lines.push("Nothing ran.");
  else lines.push(`All checks that ran passed (${ran.join(", ")}).`);
  if (skipped.length) lines.push(`Not run: ${skipped.join("; ")}.`);
  if (filter.length) lines.push(`vitest arguments: ${filter.join(" ")} (not the whole suite)`);
  lines.push(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return lines;
}
