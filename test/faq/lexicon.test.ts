/**
 * The concept lexicon (content/lexicon/concepts.json): the real file loads, a bad file stops
 * the load with an error naming the file and the field, and phrases are found by word keys.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { FaqContentError } from "../../src/features/faq/content.ts";
import { createConceptFinder, loadLexicon, parseLexicon } from "../../src/features/faq/lexicon.ts";
import { allTokens } from "../../src/features/faq/normalize.ts";

const FILE = "content/lexicon/concepts.json";
const parse = (json: unknown) => parseLexicon(FILE, JSON.stringify(json));
const errorOf = (json: unknown) => {
  try {
    parse(json);
  } catch (error) {
    expect(error).toBeInstanceOf(FaqContentError);
    return (error as Error).message;
  }
  throw new Error("expected the lexicon to be rejected");
};

describe("content/lexicon/concepts.json", () => {
  const concepts = loadLexicon(resolve("content/lexicon"));

  it("loads, with the groups the FAQ relies on across the three forms", () => {
    expect(concepts.length).toBeGreaterThan(100);
    const byId = new Map(concepts.map((c) => [c.id, c.words]));
    expect(byId.get("photo")).toEqual(expect.arrayContaining(["photo", "pic", "tasveer", "تصویر"]));
    expect(byId.get("ntn")).toEqual(expect.arrayContaining(["ntn", "tax number", "ٹیکس نمبر"]));
    expect(byId.get("fee")).toEqual(expect.arrayContaining(["fee", "fees", "فیس"]));
    expect(byId.get("register")).toEqual(expect.arrayContaining(["register", "signup", "account banana", "رجسٹر"]));
  });

  it("is an empty lexicon when the folder has no file", () => {
    expect(loadLexicon(mkdtempSync(join(tmpdir(), "lexicon-")))).toEqual([]);
  });
});

describe("a bad lexicon names the file and the field", () => {
  it("not JSON", () => {
    expect(() => parseLexicon(FILE, "{ concepts: ")).toThrow(/concepts\.json: \(file\): not valid JSON/);
  });

  it("a missing or misspelt field", () => {
    expect(errorOf({})).toMatch(/concepts\.json: concepts: /);
    expect(errorOf({ concepts: [{ id: "photo", words: ["photo", "pic"], word: ["x", "y"] }] })).toMatch(/concepts\.json: concepts\.0: .*"word"/);
    expect(errorOf({ concepts: [{ id: "photo" }] })).toMatch(/concepts\.json: concepts\.0\.words: /);
  });

  it("an id that is not kebab-case, or used twice", () => {
    expect(errorOf({ concepts: [{ id: "Photo Words", words: ["photo", "pic"] }] })).toMatch(/concepts\.0\.id: expected a kebab-case id/);
    expect(errorOf({ concepts: [{ id: "photo", words: ["photo", "pic"] }, { id: "photo", words: ["image", "tasveer"] }] })).toMatch(
      /concepts\.1\.id: "photo" is already the id of concepts\.0/,
    );
  });

  it("a concept of one word, an empty word, a word without letters, a phrase too long", () => {
    expect(errorOf({ concepts: [{ id: "photo", words: ["photo"] }] })).toMatch(/concepts\.0\.words: a concept needs at least two words/);
    expect(errorOf({ concepts: [{ id: "photo", words: ["photo", " "] }] })).toMatch(/concepts\.0\.words\.1: must not be empty/);
    expect(errorOf({ concepts: [{ id: "photo", words: ["photo", "?!"] }] })).toMatch(/concepts\.0\.words\.1: "\?!" has no letters to match/);
    expect(errorOf({ concepts: [{ id: "photo", words: ["photo", "a b c d e"] }] })).toMatch(/concepts\.0\.words\.1: "a b c d e" is longer than 4 words/);
  });

  it("a word in two concepts, also when spelt differently but normalised alike", () => {
    const message = errorOf({ concepts: [{ id: "fee", words: ["fee", "fees"] }, { id: "cost", words: ["cost", "FEES"] }] });
    expect(message).toMatch(/concepts\.json: concepts\.1\.words\.1: "FEES" is already a word of concept "fee"/);
    expect(errorOf({ concepts: [{ id: "photo", words: ["tasveer", "pic"] }, { id: "image", words: ["image", "tasvir"] }] })).toMatch(/"tasvir" is already a word of concept "photo"/);
  });

  it("a broken file stops loadLexicon too", () => {
    const dir = mkdtempSync(join(tmpdir(), "lexicon-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "concepts.json"), JSON.stringify({ concepts: [{ id: "x", words: ["a"] }] }));
    expect(() => loadLexicon(dir)).toThrow(/concepts\.json: concepts\.0\.words: /);
  });
});

describe("createConceptFinder", () => {
  const finder = createConceptFinder(parse({ concepts: [
    { id: "ntn", words: ["ntn", "tax number", "national tax number", "ٹیکس نمبر"] },
    { id: "how-long", words: ["how long", "kitne din", "کتنے دن"] },
    { id: "photo", words: ["photo", "tasveer", "تصویر"] },
  ] }));
  const at = (text: string, i: number, minWords?: number) => finder.phraseAt(allTokens(text), i, minWords);

  it("finds the longest phrase starting at a word, by normalised keys", () => {
    expect(at("my national tax number", 1)).toEqual({ concept: "ntn", length: 3 });
    expect(at("TAX NUMBER kya hai", 0)).toEqual({ concept: "ntn", length: 2 });
    expect(at("ٹيكس نمبر", 0)).toEqual({ concept: "ntn", length: 2 }); // Arabic ي ك
    expect(at("verification mein kitne din", 2)).toEqual({ concept: "how-long", length: 2 });
    expect(at("kitne din", 1)).toBeUndefined();
  });

  it("finds one-word members in any spelling the normaliser merges", () => {
    expect(at("tasvir", 0)).toEqual({ concept: "photo", length: 1 });
    expect(at("tasveer", 0, 2)).toBeUndefined(); // asked for phrases only
    expect(finder.words.get(allTokens("تصویر")[0]!)).toBe("photo");
  });
});
