/**
 * The closing lines of `npm test` say what ran: a run without PostgreSQL must not claim it.
 */
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { summaryLines } from "../../scripts/test-summary.mjs";

const counts = { passed: 10, failed: 0, skipped: 1 };
const lines = (r: Record<string, unknown>) => (summaryLines as (r: unknown) => string[])({ counts, failures: [], skipped: [], ...r });

describe("npm test summary", () => {
  it("with TEST_SKIP_POSTGRES=1 it names only typecheck and SQLite, and says PostgreSQL did not run", () => {
    const out = lines({ ran: ["typecheck", "SQLite"], skipped: ["PostgreSQL (TEST_SKIP_POSTGRES=1)"] });
    expect(out[0]).toBe("All checks that ran passed (typecheck, SQLite).");
    expect(out.join("\n")).not.toMatch(/passed \([^)]*PostgreSQL/);
    expect(out).toContain("Not run: PostgreSQL (TEST_SKIP_POSTGRES=1).");
    expect(out.at(-1)).toBe("tests: 10 passed, 0 failed, 1 skipped");
  });

  it("names all three when all ran", () => {
    expect(lines({ ran: ["typecheck", "SQLite", "PostgreSQL"] })[0]).toBe("All checks that ran passed (typecheck, SQLite, PostgreSQL).");
  });

  it("says when vitest was filtered, and leads with failures", () => {
    const out = lines({ ran: ["typecheck", "SQLite"], failures: ["tests on SQLite"], filter: ["test/db"] });
    expect(out[0]).toBe("FAILED: tests on SQLite");
    expect(out).toContain("vitest arguments: test/db (not the whole suite)");
  });
});
