import { describe, expect, it } from "vitest";
import { csvCell } from "../../src/core/csv.ts";

describe("CSV cells", () => {
  it("quotes commas, quotes and newlines, and defuses spreadsheet formulas", () => {
    expect(csvCell("Ali, Sons")).toBe('"Ali, Sons"');
    expect(csvCell('He said "hi"')).toBe('"He said ""hi"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("=HYPERLINK(\"x\")")).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell("+92 300")).toBe("'+92 300");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(null)).toBe("");
  });
});
