import { describe, expect, it } from "vitest";
import { detectLanguage, langFromHint } from "../../src/core/language.ts";

describe("detectLanguage on short and mixed texts", () => {
  const cases: Array<[string, "en" | "ur" | "ur-Latn"]> = [
    ["account register karne ke liye kya documents chahiye?", "ur-Latn"],
    ["documents kya chahiye account ke liye?", "ur-Latn"],
    ["fees kitni hai", "ur-Latn"],
    ["NTN kesay banwaun", "ur-Latn"],
    ["sample bhejna hai", "ur-Latn"],
    ["what is the membership fee", "en"],
    ["How do I list my products?", "en"],
    ["is it free", "en"],
    ["سیلر اکاؤنٹ کیسے بنائیں؟", "ur"],
    ["seller account کیسے بنے گا؟", "ur"],
    ["CNIC کی کاپی چاہیے؟", "ur"],
    ["كيا ممبرشپ كے پيسے قسطوں ميں دے سكتے هيں", "ur"],
  ];
  for (const [text, lang] of cases) {
    it(`${text} → ${lang}`, () => {
      const d = detectLanguage(text);
      expect(d.lang).toBe(lang);
      expect(d.confident).toBe(true);
    });
  }

  it("is not confident about text without words", () => {
    expect(detectLanguage("😀👍")).toEqual({ lang: "en", confident: false });
    expect(detectLanguage("12345")).toEqual({ lang: "en", confident: false });
  });

  it("is not confident about a bot command, so a platform hint can decide", () => {
    expect(detectLanguage("/start").confident).toBe(false);
    expect(detectLanguage("/start p_ab12").confident).toBe(false);
  });

  it("does not count words both languages spell alike (me, is, to, or)", () => {
    expect(detectLanguage("is it ok to me").lang).toBe("en");
  });

  it("reads a word with zero-width characters inside as the word (shuk\u200Briya is Roman Urdu)", () => {
    expect(detectLanguage("shuk\u200Briya")).toEqual({ lang: "ur-Latn", confident: true });
    expect(detectLanguage("tha\u200Dnks a lot")).toMatchObject({ lang: "en" });
  });

  it("maps platform hints", () => {
    expect(langFromHint("ur")).toBe("ur");
    expect(langFromHint("en-GB")).toBe("en");
    expect(langFromHint("ur-Latn")).toBe("ur-Latn");
    expect(langFromHint("de")).toBeUndefined();
  });
});
