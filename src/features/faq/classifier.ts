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
import { createHash } from "node:crypto";
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

/**
 * Trained models kept between starts (index-cache.ts keeps them in files), by a digest of
 * everything the training reads: the questions' features and labels, the classes and the
 * settings. A content edit that leaves them alone (an answer, a related topic) then trains
 * nothing; the cache's owner adds the code's version to the key.
 */
export interface TrainingCache {
  get(key: string): ClassifierState | undefined;
  set(key: string, state: ClassifierState): void;
}

/** A trained classifier. */
export interface TopicClassifier {
  /** Number of classes (topics, plus the out-of-scope class when trained with one). */
  readonly classes: number;
  /** Class probabilities of a question's terms, written into `out` (length {@link classes}). */
  predict(terms: readonly Term[], out: Float64Array): void;
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
 *
 * Laid out for a cold process (it runs once per content edit, before the JIT has warmed up):
 * the questions' features go into flat arrays, and every question's (weight, class, value)
 * entries are listed once, so a pass reads three arrays in order instead of walking the CSR
 * rows of each feature. The arithmetic is the plain per-question AdaGrad step, in the same
 * order as ever: the same content gives the same weights, bit for bit
 * (test/faq/classifier-training.test.ts keeps the straightforward version to compare).
 */
export function trainTopicClassifier(
  questions: ReadonlyArray<{ terms: readonly Term[]; label: number }>,
  classes: number,
  options: ClassifierOptions = {},
  cache?: TrainingCache,
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
  const k = classes;
  const samples = sampleFeatures(questions, values);
  const key = cache ? trainingKey(samples, k, o) : "";
  const cached = cache?.get(key);
  if (cached && cached.classes === k && cached.features.length === samples.features.length) return cached;
  const state = train(samples, k, o);
  cache?.set(key, state);
  return state;
}

/** A digest of what a training reads (the model is a function of it and of the code). */
function trainingKey(samples: Samples, k: number, o: Required<ClassifierOptions>): string {
  const bytes = (a: Int32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return createHash("sha256")
    .update(JSON.stringify({ k, o, n: samples.labels.length }))
    .update(samples.features.join("\u0000"))
    .update(bytes(samples.at))
    .update(bytes(samples.ids))
    .update(bytes(samples.values))
    .update(bytes(samples.labels))
    .digest("hex")
    .slice(0, 32);
}

/** The training itself, on the questions' features. */
function train(samples: Samples, k: number, o: Required<ClassifierOptions>): ClassifierState {
  const values = { concept: o.conceptValue, sound: o.soundValue, stem: o.stemValue };
  const { start, pairClass } = classPairs(samples, k);
  const entries = sampleEntries(samples, start, pairClass);
  const weights = new Float64Array(pairClass.length);
  const bias = new Float64Array(k);
  const order = shuffled(samples.labels.length, 7);
  trainPasses({ ...entries, labels: samples.labels, order, k, weights, bias, epochs: o.epochs, rate: o.rate, l2: o.l2 });
  return { classes: k, features: samples.features, start, pairClass, weights: Float32Array.from(weights), bias, values };
}

/** The training questions' features, flat: question i has `ids/values[at[i] .. at[i+1])`. */
interface Samples {
  features: string[];
  at: Int32Array;
  ids: Int32Array;
  values: Float64Array;
  labels: Int32Array;
}

/**
 * The features of every training question, as {@link featuresOf} gives them (first use order,
 * the larger value of a feature met twice), the vocabulary in order of first use. A term's
 * four feature ids are looked up once per term (the analyzer gives one Term per word key).
 */
function sampleFeatures(questions: ReadonlyArray<{ terms: readonly Term[]; label: number }>, values: ClassifierState["values"]): Samples {
  const vocabulary = new Map<string, number>();
  const learn = (feature: string) => {
    let i = vocabulary.get(feature);
    if (i === undefined) vocabulary.set(feature, (i = vocabulary.size));
    return i;
  };
  const known = new Map<Term, number[]>();
  const idsOf = (t: Term): number[] => {
    let r = known.get(t);
    if (r === undefined) {
      const sound = t.sound;
      r = [learn(t.term), t.concept === null ? -1 : learn(t.concept), sound && sound.strength >= MIN_SOUND_STRENGTH.crossScript ? learn(sound.shared) : -1, t.stem === null ? -1 : learn(t.stem)];
      known.set(t, r);
    }
    return r;
  };
  const weightOf = [1, values.concept, values.sound, values.stem];
  const at = new Int32Array(questions.length + 1);
  const ids: number[] = [];
  const vals: number[] = [];
  const labels = new Int32Array(questions.length);
  for (let i = 0; i < questions.length; i++) {
    const first = ids.length;
    for (const t of questions[i]!.terms) {
      const r = idsOf(t);
      for (let a = 0; a < 4; a++) {
        const id = r[a]!;
        if (id < 0) continue;
        const value = weightOf[a]!;
        const seen = ids.indexOf(id, first);
        if (seen < 0) {
          ids.push(id);
          vals.push(value);
        } else if (vals[seen]! < value) vals[seen] = value;
      }
    }
    at[i + 1] = ids.length;
    labels[i] = questions[i]!.label;
  }
  return { features: [...vocabulary.keys()], at, ids: Int32Array.from(ids), values: Float64Array.from(vals), labels };
}

/**
 * The (feature, class) pairs that get a weight: a feature has weights only for the classes
 * whose training questions use it (CSR: feature f's classes are `pairClass[start[f] .. start[f+1])`,
 * ascending), so a word costs as many multiplications as topics it occurs in, not one per topic.
 */
function classPairs(samples: Samples, k: number): { start: Int32Array; pairClass: Int32Array } {
  const { at, ids, labels, features } = samples;
  const codes = new Int32Array(ids.length);
  for (let i = 0; i < labels.length; i++) for (let j = at[i]!; j < at[i + 1]!; j++) codes[j] = ids[j]! * k + labels[i]!;
  codes.sort();
  const start = new Int32Array(features.length + 1);
  const classOf: number[] = [];
  for (let i = 0; i < codes.length; i++) {
    if (i > 0 && codes[i] === codes[i - 1]) continue;
    const f = Math.floor(codes[i]! / k);
    start[f + 1] = start[f + 1]! + 1;
    classOf.push(codes[i]! - f * k);
  }
  for (let f = 0; f < features.length; f++) start[f + 1] = start[f + 1]! + start[f]!;
  return { start, pairClass: Int32Array.from(classOf) };
}

/** Every question's (weight, class, value) entries, in feature order then class order: question i has `[entryAt[i] .. entryAt[i+1])`. */
function sampleEntries(samples: Samples, start: Int32Array, pairClass: Int32Array) {
  const { at, ids, values, labels } = samples;
  const entryAt = new Int32Array(labels.length + 1);
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = at[i]!; j < at[i + 1]!; j++) n += start[ids[j]! + 1]! - start[ids[j]!]!;
    entryAt[i + 1] = n;
  }
  const entryWeight = new Int32Array(n);
  const entryClass = new Int32Array(n);
  const entryValue = new Float64Array(n);
  for (let j = 0, e = 0; j < ids.length; j++) {
    for (let q = start[ids[j]!]!, end = start[ids[j]! + 1]!; q < end; q++, e++) {
      entryWeight[e] = q;
      entryClass[e] = pairClass[q]!;
      entryValue[e] = values[j]!;
    }
  }
  return { entryAt, entryWeight, entryClass, entryValue };
}

/** 0 .. n-1 in a seeded order (Fisher–Yates): examples of one topic must not come in a row. */
function shuffled(n: number, seed: number): Int32Array {
  const next = random(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** What {@link trainPasses} works on. */
interface Passes {
  entryAt: Int32Array;
  entryWeight: Int32Array;
  entryClass: Int32Array;
  entryValue: Float64Array;
  labels: Int32Array;
  order: Int32Array;
  k: number;
  weights: Float64Array;
  bias: Float64Array;
  epochs: number;
  rate: number;
  l2: number;
}

/**
 * The AdaGrad passes over the questions in `order`: per question the softmax of its classes,
 * then each of its weights and every bias moved against its error (L2 only on the weights
 * the question touches). Updates `weights` and `bias`.
 */
function trainPasses(t: Passes): void {
  const { entryAt, entryWeight, entryClass, entryValue, labels, order, k, weights, bias, rate, l2 } = t;
  const squares = new Float64Array(weights.length).fill(1e-8);
  const p = new Float64Array(k);
  for (let epoch = 0; epoch < t.epochs; epoch++) {
    for (let r = 0; r < order.length; r++) {
      const s = order[r]!;
      const from = entryAt[s]!;
      const to = entryAt[s + 1]!;
      p.set(bias);
      for (let e = from; e < to; e++) p[entryClass[e]!] = p[entryClass[e]!]! + weights[entryWeight[e]!]! * entryValue[e]!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (p[c]! > max) max = p[c]!;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += p[c] = Math.exp(p[c]! - max);
      for (let c = 0; c < k; c++) p[c] = p[c]! / sum;
      p[labels[s]!] = p[labels[s]!]! - 1; // the error of each class
      for (let e = from; e < to; e++) {
        const q = entryWeight[e]!;
        const g = p[entryClass[e]!]! * entryValue[e]! + l2 * weights[q]!;
        squares[q] = squares[q]! + g * g;
        weights[q] = weights[q]! - (rate * g) / Math.sqrt(squares[q]!);
      }
      for (let c = 0; c < k; c++) bias[c] = bias[c]! - 0.05 * p[c]!;
    }
  }
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
