import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseReport, stagesForCount } from "../../src/features/progress/report.ts";
import { loadStages } from "../../src/features/progress/stages.ts";

const stages = loadStages("content");

describe("free-text reports", () => {
  const cases: Array<[string, unknown]> = [
    ["maine 12 products list kar diye", { kind: "stages", stageIds: [], count: 12 }],
    ["I listed 3 products", { kind: "stages", stageIds: [], count: 3 }],
    ["I have uploaded ten products", { kind: "stages", stageIds: [], count: 10 }],
    ["میں نے 5 پروڈکٹس لسٹ کر دیں", { kind: "stages", stageIds: [], count: 5 }],
    ["میں نے ۱۲ پروڈکٹس اپ لوڈ کر دیں", { kind: "stages", stageIds: [], count: 12 }],
    ["I got my first inquiry", { kind: "stages", stageIds: ["first-inquiry"] }],
    ["pehla order mil gaya", { kind: "stages", stageIds: ["first-order"] }],
    ["پہلا آرڈر مل گیا", { kind: "stages", stageIds: ["first-order"] }],
    ["storefront bana liya", { kind: "stages", stageIds: ["storefront"] }],
    ["verification ho gayi", { kind: "stages", stageIds: ["verified"] }],
    ["I listed -5 products", { kind: "bad-count", reason: "negative" }],
    ["I listed a million products", { kind: "bad-count", reason: "too-many" }],
    ["maine 20 lakh products list kiye", { kind: "bad-count", reason: "too-many" }],
    ["I listed 0 products", { kind: "bad-count", reason: "zero" }],
    ["I listed 99999 products", { kind: "bad-count", reason: "too-many" }],
    // Not reports: questions, negations, bare topics.
    ["how do I list 10 products?", undefined],
    ["first order kab milega", undefined],
    ["pehla order kaise milega", undefined],
    ["I haven't got my first order", undefined],
    ["abhi tak pehla order nahi mila", undefined],
    ["first order", undefined],
    ["documents", undefined],
    ["undo products", undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads "${text}"`, () => expect(parseReport(text, stages)).toEqual(expected));
  }

  it("maps a count to every stage it reaches", () => {
    expect(stagesForCount(stages, 1)).toEqual(["first-product"]);
    expect(stagesForCount(stages, 9)).toEqual(["first-product"]);
    expect(stagesForCount(stages, 12)).toEqual(["first-product", "ten-products"]);
  });
});

describe("stages content", () => {
  it("has the eight stages in order, each with three languages and an FAQ topic", () => {
    expect(stages.list.map((s) => s.id)).toEqual(["account", "documents", "verified", "storefront", "first-product", "ten-products", "first-inquiry", "first-order"]);
    expect(stages.list.map((s) => s.faqTopic)).toEqual(["register-account", "required-documents", "verification", "storefront", "product-listing", "listing-quality", "buyer-inquiries", "first-order-time"]);
  });

  it("refuses a bad stages file with the field named", () => {
    const dir = mkdtempSync(join(tmpdir(), "stages-"));
    mkdirSync(join(dir, "progress"));
    writeFileSync(join(dir, "progress", "stages.json"), JSON.stringify({ version: 1, stages: [{ id: "Bad Id", faqTopic: "x", label: { en: "a" }, howTo: { en: "b", ur: "c", "ur-Latn": "d" } }] }));
    expect(() => loadStages(dir)).toThrow(/stages\.0\.id.*stages\.0\.label\.ur/s);
    writeFileSync(join(dir, "progress", "stages.json"), "{not json");
    expect(() => loadStages(dir)).toThrow(/cannot read/);
  });
});
