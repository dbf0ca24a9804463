/**
 * The topic classifier (classifier.ts): learns which words tell topics apart, has a class for
 * "something else", learns across scripts through sound keys and stems, and gives the same
 * weights for the same content (the index cache relies on it).
 */
import { describe, expect, it } from "vitest";
import { createTopicClassifier, trainTopicClassifier } from "../../src/features/faq/classifier.ts";
import { createConceptFinder } from "../../src/features/faq/lexicon.ts";
import { createAnalyzer } from "../../src/features/faq/terms.ts";

const analyze = createAnalyzer(createConceptFinder([]));
const data: Array<[string, number]> = [
  ["how do I open a seller account", 0],
  ["account kaise kholun", 0],
  ["اکاؤنٹ کیسے کھولوں", 0],
  ["join as a new seller", 0],
  ["how much is the membership fee", 1],
  ["membership ki fees kitni hai", 1],
  ["ممبرشپ فیس کتنی ہے", 1],
  ["yearly package price", 1],
  ["who won the cricket match", 2],
  ["aaj mausam kaisa hai", 2],
  ["بریانی کیسے بنتی ہے", 2],
];
const train = (rows: Array<[string, number]>) => trainTopicClassifier(rows.map(([text, label]) => ({ terms: analyze(text, Infinity), label })), 3);
const probabilities = (state: ReturnType<typeof train>, text: string) => {
  const out = new Float64Array(3);
  createTopicClassifier(state).predict(analyze(text), out);
  return [...out];
};
const best = (p: number[]) => p.indexOf(Math.max(...p));

describe("trainTopicClassifier", () => {
  const state = train(data);

  it("gives the topic whose words a new question uses, and probabilities that sum to 1", () => {
    const p = probabilities(state, "seller account open karna hai");
    expect(best(p)).toBe(0);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(best(probabilities(state, "fees kitni"))).toBe(1);
  });

  it("has a class for questions about something else", () => {
    expect(best(probabilities(state, "cricket match kab hai"))).toBe(2);
  });

  it("learns across scripts: a Roman question from Urdu-script examples only, and back", () => {
    const urduOnly = train([
      ["رجسٹریشن کیسے ہوتی ہے", 0],
      ["تصویر کیسے لگاؤں", 1],
      ["موسم کیسا ہے", 2],
    ]);
    expect(best(probabilities(urduOnly, "rajistreshan kaise hogi"))).toBe(0);
    expect(best(probabilities(urduOnly, "tasveer lagani hai"))).toBe(1);
    const romanOnly = train([
      ["registration kaise hogi", 0],
      ["tasveer lagani hai", 1],
      ["mausam kaisa hai", 2],
    ]);
    expect(best(probabilities(romanOnly, "رجسٹریشن"))).toBe(0);
  });

  it("is deterministic: the same content gives the same weights", () => {
    expect(train(data)).toEqual(state);
  });

  it("keeps weights only for classes a feature occurs in", () => {
    expect(state.weights.length).toBe(state.pairClass.length);
    expect(state.weights.length).toBeLessThan(state.features.length * state.classes);
    expect(state.start.length).toBe(state.features.length + 1);
  });
});
