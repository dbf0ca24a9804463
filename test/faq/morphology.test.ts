/**
 * Word forms: every form of an Urdu verb or adjective, in Urdu script or Roman spelling, has
 * one stem key (morphology.ts), and the matcher uses it so that an example's form teaches the
 * others (checked against a matcher whose examples use another form only).
 */
import { describe, expect, it } from "vitest";
import type { FaqTopic } from "../../src/features/faq/content.ts";
import { createFaqMatcher } from "../../src/features/faq/matcher.ts";
import { stem, stemKey } from "../../src/features/faq/morphology.ts";
import { foldScript, wordKey } from "../../src/features/faq/normalize.ts";

const key = (word: string) => stemKey(wordKey(foldScript(word).toLowerCase()));

describe("stemKey", () => {
  const groups: string[][] = [
    ["banana", "banane", "banaye", "banata", "banega", "banayenge", "banwana", "banwane", "banun", "بنانا", "بنائیں", "بنوانا", "بنتا", "بناؤں"],
    ["bhejna", "bhejun", "bhejoon", "bhejein", "bhejega", "bheja", "bejna", "بھیجنا", "بھیجیں", "بھیجوں"],
    ["mangna", "mangta", "mangte", "mangvaun", "mangwane", "مانگنا", "مانگتا", "منگوانا"],
    ["kharidna", "kharidta", "kharide", "khareedenge", "خریدنا", "خریدتے"],
    ["mulkon", "mulk", "ملک"],
  ];
  for (const group of groups) {
    it(group.join(" / "), () => {
      const keys = group.map(key);
      expect(new Set(keys).size, keys.join(" ")).toBe(1);
      expect(keys[0]).not.toBe("");
    });
  }

  it("keeps words apart that only share an ending", () => {
    expect(key("bhejna")).not.toBe(key("banana"));
    expect(key("milna")).not.toBe(key("mangna"));
    expect(key("likhna")).not.toBe(key("lagna"));
  });

  it("gives no key for stems too short to tell apart, nor strips short words", () => {
    expect(key("hona")).toBe("");
    expect(stem("data")).toBe("data"); // "da" would be too short
    expect(stem("registration")).toBe("registration");
  });
});

describe("the matcher compares stems", () => {
  const topic = (id: string, ur: string[], latn: string[]): FaqTopic => ({
    id,
    route: null,
    answer: { en: `About ${id}.`, ur: `${id} کے بارے میں۔`, "ur-Latn": `${id} ke bare mein.` },
    examples: { en: [], ur, "ur-Latn": latn },
    keywords: { en: [], ur: [], "ur-Latn": [] },
    related: [],
  });
  const topics = [
    topic("make-account", ["اکاؤنٹ بنانا ہے"], ["naya account banana hai"]),
    topic("send-sample", ["نمونہ بھیجنا ہے"], ["sample bhejna hai"]),
    topic("ask-price", ["قیمت مانگنی ہے"], ["rate mangna hai"]),
  ];
  const matcher = createFaqMatcher(topics);

  it("a form no example uses finds the topic of another form, in either script", () => {
    expect(matcher.rank("account banwaun")[0]?.topic).toBe("make-account");
    expect(matcher.rank("account kaise banayenge")[0]?.topic).toBe("make-account");
    expect(matcher.rank("کیسے بنواؤں")[0]?.topic).toBe("make-account");
    expect(matcher.rank("bhejoon kya")[0]?.topic).toBe("send-sample");
    expect(matcher.rank("mangvaun")[0]?.topic).toBe("ask-price");
  });
});
