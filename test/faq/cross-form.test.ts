/**
 * What an example teaches in one form helps the other two: a knowledge base written in
 * English only still answers Urdu-script and Roman Urdu questions, through the sound keys
 * (transliterate.ts) and the concept lexicon. Each case is checked against the same
 * matcher without that layer, so the test fails when the layer stops working.
 */
import { describe, expect, it } from "vitest";
import type { FaqTopic } from "../../src/features/faq/content.ts";
import { createFaqMatcher } from "../../src/features/faq/matcher.ts";
import { parseLexicon } from "../../src/features/faq/lexicon.ts";

const topic = (id: string, en: string[]): FaqTopic => ({
  id,
  route: null,
  answer: { en: `About ${id}.`, ur: `${id} کے بارے میں۔`, "ur-Latn": `${id} ke bare mein.` },
  examples: { en, ur: [], "ur-Latn": [] },
  keywords: { en: [], ur: [], "ur-Latn": [] },
  related: [],
});

const topics = [
  topic("photos", ["how do I take good product photos", "which pictures make buyers click", "should my images have a white background"]),
  topic("register", ["how does registration work", "how do I register as a seller", "what is the signup procedure"]),
  topic("fees", ["how much is the membership fee", "what does the gold package cost per year", "can I pay the fee in installments"]),
  topic("samples", ["who pays for sending a sample", "should I send samples by courier", "can the buyer get a free sample"]),
];
const lexicon = parseLexicon("test.json", JSON.stringify({ concepts: [
  { id: "photo", words: ["photo", "photos", "picture", "image", "tasveer", "tasveeren", "تصویر", "تصویریں"] },
  { id: "fee", words: ["fee", "fees", "فیس"] },
  { id: "sample", words: ["sample", "samples", "namuna", "namoona", "نمونہ", "نمونے"] },
  { id: "send", words: ["send", "sending", "bhejna", "bhejun", "بھیجنا", "بھیجوں"] },
] }));

const withLayers = createFaqMatcher(topics, { lexicon });
const withoutLexicon = createFaqMatcher(topics);
const top = (m: typeof withLayers, text: string) => m.rank(text)[0]?.topic ?? null;

describe("sound keys: Urdu script and Roman spellings of English words", () => {
  it("رجسٹریشن and rajistreshan find the English 'registration' example", () => {
    expect(top(withoutLexicon, "رجسٹریشن کیسے ہوتی ہے")).toBe("register");
    expect(top(withoutLexicon, "rajistreshan kaise hoti hai")).toBe("register");
  });

  it("an Urdu word with no English counterpart finds nothing by sound alone", () => {
    expect(top(withoutLexicon, "تصویر کیسی ہونی چاہیے")).toBeNull();
  });
});

describe("the concept lexicon: translations and synonyms", () => {
  it("تصویر and tasveer find the English photo examples", () => {
    expect(top(withLayers, "تصویر کیسی ہونی چاہیے")).toBe("photos");
    expect(top(withLayers, "tasveeren kaisi honi chahiye")).toBe("photos");
  });

  it("فیس finds the fee examples, نمونہ بھیجنا the sample ones", () => {
    expect(top(withLayers, "فیس کتنی ہے")).toBe("fees");
    expect(top(withoutLexicon, "فیس کتنی ہے")).toBeNull(); // two consonants: too short to compare by sound
    expect(top(withLayers, "نمونہ بھیجنے کا خرچ کون دے گا")).toBe("samples");
    expect(top(withoutLexicon, "نمونہ بھیجنے کا خرچ کون دے گا")).toBeNull();
  });

  it("a word keeps more weight where it is used itself than through its concept", () => {
    const ranked = withLayers.rank("image");
    expect(ranked[0]?.topic).toBe("photos");
    expect(ranked[0]?.coverage).toBe(1);
  });
});
