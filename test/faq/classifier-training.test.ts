/**
 * The classifier's training (classifier.ts) is laid out for speed: flat feature arrays, one
 * entry list per question, features looked up once per term. This file keeps the
 * straightforward version it replaced (decision 0109) and checks that both give the same
 * model, bit for bit, on the real knowledge base and on random questions: the FAQ's answers
 * must not change with the layout.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LANGS } from "../../src/core/types.ts";
import { trainTopicClassifier, type ClassifierState } from "../../src/features/faq/classifier.ts";
import { loadFaqContent } from "../../src/features/faq/knowledge.ts";
import { createConceptFinder } from "../../src/features/faq/lexicon.ts";
import { createAnalyzer, MIN_SOUND_STRENGTH, type Term } from "../../src/features/faq/terms.ts";

type Labelled = ReadonlyArray<{ terms: readonly Term[]; label: number }>;

/** The training as it was written before decision 0109 (per-question typed arrays, CSR walk). */
function referenceTraining(questions: Labelled, k: number): ClassifierState {
  const values = { concept: 0.9, sound: 0.8, stem: 0.7 };
  const vocabulary = new Map<string, number>();
  const learn = (f: string) => {
    let i = vocabulary.get(f);
    if (i === undefined) vocabulary.set(f, (i = vocabulary.size));
    return i;
  };
  const samples = questions.map((q) => {
    const ids: number[] = [];
    const vals: number[] = [];
    const put = (feature: string | null, value: number) => {
      if (feature === null) return;
      const i = learn(feature);
      const at = ids.indexOf(i);
      if (at < 0) {
        ids.push(i);
        vals.push(value);
      } else if (vals[at]! < value) vals[at] = value;
    };
    for (const t of q.terms) {
      put(t.term, 1);
      put(t.concept, values.concept);
      if (t.sound && t.sound.strength >= MIN_SOUND_STRENGTH.crossScript) put(t.sound.shared, values.sound);
      put(t.stem, values.stem);
    }
    return { ids: Int32Array.from(ids), values: Float64Array.from(vals), label: q.label };
  });
  let pairs = 0;
  for (const { ids } of samples) pairs += ids.length;
  const codes = new Int32Array(pairs);
  pairs = 0;
  for (const { ids, label } of samples) for (const id of ids) codes[pairs++] = id * k + label;
  codes.sort();
  const start = new Int32Array(vocabulary.size + 1);
  const classOf: number[] = [];
  for (let i = 0; i < codes.length; i++) {
    if (i > 0 && codes[i] === codes[i - 1]) continue;
    const f = Math.floor(codes[i]! / k);
    start[f + 1] = start[f + 1]! + 1;
    classOf.push(codes[i]! - f * k);
  }
  for (let f = 0; f < vocabulary.size; f++) start[f + 1] = start[f + 1]! + start[f]!;
  const pairClass = Int32Array.from(classOf);
  const weights = new Float64Array(pairClass.length);
  const squares = new Float64Array(pairClass.length).fill(1e-8);
  const bias = new Float64Array(k);
  const p = new Float64Array(k);
  let a = 7;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = samples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let epoch = 0; epoch < 5; epoch++) {
    for (const s of order) {
      const { ids, values: v, label } = samples[s]!;
      p.set(bias);
      for (let j = 0; j < ids.length; j++) for (let q = start[ids[j]!]!; q < start[ids[j]! + 1]!; q++) p[pairClass[q]!] = p[pairClass[q]!]! + weights[q]! * v[j]!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (p[c]! > max) max = p[c]!;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += p[c] = Math.exp(p[c]! - max);
      for (let c = 0; c < k; c++) p[c] = p[c]! / sum;
      p[label] = p[label]! - 1;
      for (let j = 0; j < ids.length; j++) {
        for (let q = start[ids[j]!]!; q < start[ids[j]! + 1]!; q++) {
          const g = p[pairClass[q]!]! * v[j]! + 0.01 * weights[q]!;
          squares[q] = squares[q]! + g * g;
          weights[q] = weights[q]! - (0.5 * g) / Math.sqrt(squares[q]!);
        }
      }
      for (let c = 0; c < k; c++) bias[c] = bias[c]! - 0.05 * p[c]!;
    }
  }
  return { classes: k, features: [...vocabulary.keys()], start, pairClass, weights: Float32Array.from(weights), bias, values };
}

describe("the classifier's training", () => {
  it("gives the reference model bit for bit on the knowledge base", () => {
    const content = loadFaqContent(resolve("content/faq"));
    const analyze = createAnalyzer(createConceptFinder(content.lexicon));
    const labelled: Array<{ terms: Term[]; label: number }> = [];
    content.topics.forEach((topic, slot) => {
      for (const lang of LANGS) for (const text of [...topic.examples[lang], ...topic.keywords[lang]]) labelled.push({ terms: analyze(text, Infinity), label: slot });
    });
    for (const lang of LANGS) for (const text of content.negatives[lang]) labelled.push({ terms: analyze(text, Infinity), label: content.topics.length });
    const k = content.topics.length + 1;
    const fast = trainTopicClassifier(labelled, k);
    const reference = referenceTraining(labelled, k);
    expect(fast.features).toEqual(reference.features);
    expect(Buffer.from(fast.start.buffer).equals(Buffer.from(reference.start.buffer))).toBe(true);
    expect(Buffer.from(fast.pairClass.buffer).equals(Buffer.from(reference.pairClass.buffer))).toBe(true);
    expect(Buffer.from(fast.weights.buffer).equals(Buffer.from(reference.weights.buffer))).toBe(true);
    expect(Buffer.from(fast.bias.buffer).equals(Buffer.from(reference.bias.buffer))).toBe(true);
    expect(fast.weights.some((w) => w !== 0)).toBe(true);
  });

  it("gives the reference model on random questions (repeated words, phrases, empty questions)", () => {
    const analyze = createAnalyzer(createConceptFinder([{ id: "photo", words: ["photo", "tasveer", "تصویر", "product picture"] }]));
    const words = ["account", "kholna", "khulwana", "photo", "tasveer", "تصویر", "product", "picture", "fees", "فیس", "kitni", "membership", "ممبرشپ", "banana", "banaye", "بنانا", "cricket", "match", "mausam", "کیسے", "hai"];
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const labelled = Array.from({ length: 300 }, () => {
      const text = Array.from({ length: Math.floor(next() * 7) }, () => words[Math.floor(next() * words.length)]).join(" ");
      return { terms: analyze(text, Infinity), label: Math.floor(next() * 4) };
    });
    const fast = trainTopicClassifier(labelled, 4);
    const reference = referenceTraining(labelled, 4);
    expect(fast.features).toEqual(reference.features);
    expect([...fast.weights]).toEqual([...reference.weights]);
    expect([...fast.bias]).toEqual([...reference.bias]);
  });
});
