/**
 * A small topic classifier learned from the knowledge base when the index is built: a
 * multinomial logistic regression (softmax) over the terms of the example questions and
 * keywords, with the out-of-scope questions as one more class. The coverage ranking weighs a
 * word by how many topics use it (IDF); the classifier learns, per topic, which words tell
 * it from its neighbours ("join" → register-account rather than what-is-marketplace) and
 * which words mean "something else". Its probabilities are added to the ranking key and are
 * features of the confidence (matcher.ts, calibration.ts).
 *
 * A word's features are its own term, its lexicon concept, its script-independent sound key
 * and its stem (terms.ts), so an Urdu-script example teaches a Roman question and back, as in
 * the index. Trained by AdaGrad, a fixed number of passes in a seeded order: the same content
 * gives the same weights. No download, no dependency: a hundred lines, five passes over
 * ~3,800 short questions and keyword lines.
 */
import { MIN_SOUND_STRENGTH, type Term } from "./terms.ts";

/** Settings of the classifier (defaults are the documented ones). */
export interface ClassifierOptions {
  /** Passes over the training questions. */
  epochs?: number;
  /** AdaGrad step size. */
  rate?: number;
  /** L2 penalty per update (applied to the weights a question touches). */
  l2?: number;
  /** Feature value of a word's concept, sound key and stem (its own term counts 1). */
  conceptValue?: number;
  soundValue?: number;
  stemValue?: number;
}

/** A trained classifier as data (what the index cache stores). */
export interface ClassifierState {
  classes: number;
  /** Feature names. */
  features: string[];
  /** Feature f has a weight for class `pairClass[q]` for q in `start[f] .. start[f+1]`: `weights[q]`. */
  start: Int32Array;
  pairClass: Int32Array;
  weights: Float32Array;
  bias: Float64Array;
  /** Feature values of a word's concept, sound key and stem. */
  values: { concept: number; sound: number; stem: number };
}

/** A trained classifier. */
export interface TopicClassifier {
  /** Number of classes (topics, plus the out-of-scope class when trained with one). */
  readonly classes: number;
  /** Class probabilities of a question's terms, written into `out` (length {@link classes}). */
  predict(terms: readonly Term[], out: Float64Array): void;
}

/** A question as the classifier sees it: feature ids and values. */
interface Sample {
  ids: Int32Array;
  values: Float64Array;
  label: number;
}

/** The features of a question: each word's own term, concept, sound key and stem. */
function featuresOf(terms: readonly Term[], o: ClassifierState["values"], id: (feature: string) => number): { ids: number[]; values: number[] } {
  // A question has a few dozen features at most: arrays beat a Map here.
  const ids: number[] = [];
  const values: number[] = [];
  const put = (feature: string | null, value: number) => {
    if (feature === null) return;
    const i = id(feature);
    if (i < 0) return;
    const at = ids.indexOf(i);
    if (at < 0) {
      ids.push(i);
      values.push(value);
    } else if (values[at]! < value) values[at] = value;
  };
  for (const t of terms) {
    put(t.term, 1);
    put(t.concept, o.concept);
    const sound = t.sound;
    if (sound && sound.strength >= MIN_SOUND_STRENGTH.crossScript) put(sound.shared, o.sound);
    put(t.stem, o.stem);
  }
  return { ids, values };
}

/** A small deterministic generator (mulberry32), so training gives the same weights every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Trains the classifier on labelled questions (their terms and a class 0..classes-1).
 */
export function trainTopicClassifier(
  questions: ReadonlyArray<{ terms: readonly Term[]; label: number }>,
  classes: number,
  options: ClassifierOptions = {},
): ClassifierState {
  const o: Required<ClassifierOptions> = {
    epochs: options.epochs ?? 5,
    rate: options.rate ?? 0.5,
    l2: options.l2 ?? 0.01,
    conceptValue: options.conceptValue ?? 0.9,
    soundValue: options.soundValue ?? 0.8,
    stemValue: options.stemValue ?? 0.7,
  };
  const values = { concept: o.conceptValue, sound: o.soundValue, stem: o.stemValue };
  const vocabulary = new Map<string, number>();
  const learn = (feature: string) => {
    let i = vocabulary.get(feature);
    if (i === undefined) vocabulary.set(feature, (i = vocabulary.size));
    return i;
  };
  const samples: Sample[] = questions.map((q) => {
    const f = featuresOf(q.terms, values, learn);
    return { ids: Int32Array.from(f.ids), values: Float64Array.from(f.values), label: q.label };
  });
  const k = classes;
  // A feature has weights only for the classes whose training questions use it (CSR layout):
  // a word then costs as many multiplications as topics it occurs in, not one per topic.
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

  const probabilities = (ids: Int32Array, values: Float64Array, out: Float64Array) => {
    out.set(bias);
    for (let j = 0; j < ids.length; j++) {
      const v = values[j]!;
      for (let q = start[ids[j]!]!, end = start[ids[j]! + 1]!; q < end; q++) out[pairClass[q]!] = out[pairClass[q]!]! + weights[q]! * v;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (out[c]! > max) max = out[c]!;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c]! - max);
    for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
  };

  // One seeded order for all passes: examples of one topic must not come in a row.
  const next = random(7);
  const order = samples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (const s of order) {
      const { ids, values, label } = samples[s]!;
      probabilities(ids, values, p);
      p[label] = p[label]! - 1; // the error of each class
      for (let j = 0; j < ids.length; j++) {
        const v = values[j]!;
        for (let q = start[ids[j]!]!, end = start[ids[j]! + 1]!; q < end; q++) {
          const g = p[pairClass[q]!]! * v + o.l2 * weights[q]!;
          squares[q] = squares[q]! + g * g;
          weights[q] = weights[q]! - (o.rate * g) / Math.sqrt(squares[q]!);
        }
      }
      for (let c = 0; c < k; c++) bias[c] = bias[c]! - 0.05 * p[c]!;
    }
  }

  return { classes: k, features: [...vocabulary.keys()], start, pairClass, weights: Float32Array.from(weights), bias, values };
}

/** The classifier of a trained state (predictions in single precision, as the cache stores them). */
export function createTopicClassifier(state: ClassifierState): TopicClassifier {
  const { classes: k, start, pairClass, weights, bias, values } = state;
  const vocabulary = new Map<string, number>();
  state.features.forEach((f, i) => vocabulary.set(f, i));
  const known = (feature: string) => vocabulary.get(feature) ?? -1;
  return {
    classes: k,
    predict(terms, out) {
      const { ids, values: v } = featuresOf(terms, values, known);
      out.set(bias);
      for (let j = 0; j < ids.length; j++) {
        for (let q = start[ids[j]!]!, end = start[ids[j]! + 1]!; q < end; q++) out[pairClass[q]!] = out[pairClass[q]!]! + weights[q]! * v[j]!;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (out[c]! > max) max = out[c]!;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c]! - max);
      for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
    },
  };
}
