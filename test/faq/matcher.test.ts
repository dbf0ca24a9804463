/**
 * Matching on the real knowledge base (topics, lexicon, out-of-scope questions, shipped
 * calibration) with phrasings written for this test (not in content/ nor eval/), and bad
 * input. Speed is measured in bench/faq.bench.ts, not here.
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledgeBase } from "../../src/features/faq/knowledge.ts";
import { AMBIGUOUS_CONFIDENT, decide, type FaqMatcher } from "../../src/features/faq/matcher.ts";

let matcher: FaqMatcher;
beforeAll(() => {
  matcher = loadKnowledgeBase(resolve("content/faq")).matcher;
});

const heldOut: Record<string, Array<[string, string]>> = {
  en: [
    ["how long does the factory audit take", "verification"],
    ["can I pay the membership in installments", "membership-fees"],
    ["buyer is asking for a sample, who pays the courier", "samples"],
    ["how do I answer a request for quotation", "rfq"],
  ],
  ur: [
    ["سیلر اکاؤنٹ کے لیے کون سے کاغذات چاہئیں", "required-documents"],
    ["تصدیق میں کتنے دن لگتے ہیں", "verification"],
    ["نمونہ بھیجنے کا خرچ کون دیتا ہے", "samples"],
    ["پروڈکٹ اپ لوڈ کیسے کروں", "product-listing"],
  ],
  "ur-Latn": [
    ["seller account ke liye kon se kaghzat chahiye", "required-documents"],
    ["verification mein kitne din lagte hain", "verification"],
    ["product upload kaise karun", "product-listing"],
    ["kisi banday se baat karni hai", "talk-to-human"],
  ],
};

describe("held-out phrasings", () => {
  for (const [lang, cases] of Object.entries(heldOut)) {
    for (const [text, topic] of cases) {
      it(`[${lang}] ${text} → ${topic}`, () => {
        const match = matcher.match(text);
        expect(match.decision).toBe("confident");
        expect(match.topic).toBe(topic);
        expect(match.score).toBeGreaterThanOrEqual(matcher.thresholds.confident);
      });
    }
  }

  it("survives Arabic code points, greetings and typos", () => {
    expect(matcher.match("السلام عليكم، تصديق ميں كتنے دن لگتے هيں؟").topic).toBe("verification");
    expect(matcher.match("AoA sir plz verfication me kitne din lagty hain").topic).toBe("verification");
  });
});

describe("not confident", () => {
  it("rejects questions about something else, in all three forms", () => {
    const outOfScope = [
      "how to cook daal", "who won the cricket match yesterday", "is it going to snow in Murree", "my laptop battery drains fast",
      "نماز کا وقت کیا ہے", "کل چھٹی ہے کیا", "میرا پسندیدہ گانا لگا دو",
      "aaj mausam kaisa hai", "mera bhai kal aa raha hai", "cricket ka score kya hua",
    ];
    for (const text of outOfScope) expect(matcher.match(text).topic, text).toBeNull();
  });

  it("gives a confidence that means what it says: high for a clear question, low for small talk", () => {
    expect(matcher.match("how do I upload my products in bulk").score).toBeGreaterThan(0.8);
    for (const text of ["theek hai", "bohat acha", "ok", "👍"]) expect(matcher.match(text).decision, text).toBe("none");
  });

  it("never shows a lower-ranked topic with more confidence than the one above it", () => {
    for (const text of ["account", "رجسٹریشن کیسے کروں", "partner", "fees aur documents"]) {
      const scores = matcher.match(text).ranked.map((r) => r.score);
      expect(scores, text).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it("asks rather than answers a single common word many topics share", () => {
    const match = matcher.match("account");
    expect(match.decision).toBe("unsure");
    expect(match.ranked.length).toBeGreaterThan(1);
  });

  it("answers an ambiguous question only when it is more likely right than not", () => {
    const thresholds = { confident: 0.2, unsure: 0.1 };
    expect(decide(0.3, false, thresholds)).toBe("confident");
    expect(decide(0.3, true, thresholds)).toBe("unsure");
    expect(decide(AMBIGUOUS_CONFIDENT, true, thresholds)).toBe("confident");
    expect(decide(0.05, true, thresholds)).toBe("unsure");
    expect(decide(0.05, false, thresholds)).toBe("none");
  });

  it("reads two words typed as one", () => {
    expect(matcher.match("membershipfee kitni hai").topic).toBe("membership-fees");
    expect(matcher.match("productupload kaise karun").topic).toBe("product-listing");
  });

  it("does not take a complaint about a closed account or order for the unsubscribe topic", () => {
    for (const text of ["mera order band ho gaya", "میرا اکاؤنٹ بند ہو گیا", "mera account band ho gaya"]) {
      expect(matcher.match(text).topic, text).toBeNull();
    }
  });

  it("reads a misspelt word as the word meant, in the ranking and in the classifier", () => {
    expect(matcher.match("memebrship fee").topic).toBe("membership-fees");
    expect(matcher.match("verfication kitne din").topic).toBe("verification");
  });

  it("does not take an unknown word for a typo or a sound-alike of a known one", () => {
    expect(matcher.match("what is the weather like in Quetta").topic).toBeNull(); // not leather, not واٹر (water)
  });
});

describe("bad input", () => {
  const cases: Array<[string, string]> = [
    ["empty", ""],
    ["only emoji", "😀🎉👍🙏"],
    ["only digits", "1234567890"],
    ["20,000 characters", "fees ".repeat(4000)],
    ["20,000 random letters", Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join("")],
    ["RTL override", "\u202Everification\u202C"],
    ["zalgo", "f\u0300\u0301\u0302\u0303e\u0304\u0305\u0306e\u0307\u0308s"],
    ["lone surrogates", "\uD800 fees \uDFFF"],
  ];
  for (const [name, text] of cases) {
    it(`handles ${name}`, () => {
      const match = matcher.match(text);
      expect(match.score).toBeGreaterThanOrEqual(0);
      expect(match.score).toBeLessThanOrEqual(1);
      expect(["confident", "unsure", "none"]).toContain(match.decision);
    });
  }

  it("finds nothing in emoji and digits", () => {
    expect(matcher.match("😀🎉").decision).toBe("none");
    expect(matcher.match("1234567890").decision).toBe("none");
  });
});
