/** Text for a terminal: word wrapping to the width and right-to-left marks on Urdu lines. */
import { describe, expect, it } from "vitest";
import { displayWidth, formatForTerminal, isRightToLeft, RLM } from "../../src/channels/console/terminal-text.ts";

const strip = (s: string) => s.replaceAll(RLM, "");
const words = (s: string) => strip(s).split(/\s+/).filter(Boolean);

describe("formatForTerminal", () => {
  const roman = "Registration ke liye apna CNIC, NTN certificate aur business bank account ki tafseelat tayyar rakhein; verification mein aam tor par do se teen din lagte hain.";
  const urdu = "رجسٹریشن کے لیے اپنا شناختی کارڈ، این ٹی این سرٹیفکیٹ اور کاروباری بینک اکاؤنٹ کی تفصیلات تیار رکھیں؛ تصدیق میں عام طور پر دو سے تین دن لگتے ہیں۔";

  it.each([
    ["Roman Urdu", roman],
    ["Urdu", urdu],
  ])("wraps %s at word boundaries within the width", (_name, text) => {
    const out = formatForTerminal(text, 41);
    const lines = out.split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    // No word was cut: the words are the same, in the same order.
    expect(words(out)).toEqual(words(text));
  });

  it("puts a right-to-left mark at the start of every Urdu line, and none on English ones", () => {
    const out = formatForTerminal(`Your documents:\n${urdu}`, 41).split("\n");
    expect(out[0]).toBe("Your documents:");
    for (const line of out.slice(1)) expect(line.startsWith(RLM)).toBe(true);
  });

  it("in an Urdu message, a line that starts with a number or a Latin name is still right to left", () => {
    const message = "کسی ایک کو منتخب کریں۔\n1. Sample Sialkot Export Desk منتخب کریں\n2. Sample Daska Sellers Point منتخب کریں";
    const out = formatForTerminal(message, 80).split("\n");
    expect(out.every((l) => l.startsWith(RLM))).toBe(true);
    // In an English message the same kind of line stays left to right.
    expect(formatForTerminal("Pick one:\n1. Sample Desk (منتخب)\nReply with a number.", 80)).not.toContain(RLM);
  });

  it("cuts only what is longer than a line (a URL), and lines continuations up under a list item", () => {
    const url = `https://maps.google.com/?q=${"3".repeat(60)}`;
    const out = formatForTerminal(`📍 ${url}`, 30).split("\n");
    for (const line of out) expect(displayWidth(line)).toBeLessThanOrEqual(29);
    expect(out.join("").replace(/\s/g, "")).toBe(`📍${url}`);
    const item = formatForTerminal("1. Proof of business: SECP incorporation certificate (company) or partnership deed", 30).split("\n");
    expect(item[0]).toMatch(/^1\. Proof/);
    for (const line of item.slice(1)) expect(line).toMatch(/^ {3}\S/);
  });

  it("leaves short lines, blank lines and piped-width text alone", () => {
    expect(formatForTerminal("hello\n\nworld", 80)).toBe("hello\n\nworld");
  });
});

describe("displayWidth and direction", () => {
  it("counts Urdu marks as zero columns and emoji as two", () => {
    expect(displayWidth("مُدد")).toBe(3);
    expect(displayWidth("📅 a")).toBe(4);
  });
  it("takes the first strong letter", () => {
    expect(isRightToLeft("12. مدد")).toBe(true);
    expect(isRightToLeft("Language / زبان")).toBe(false);
  });
});
