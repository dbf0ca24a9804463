/**
 * The FAQ confidence: a logistic regression over features of the matcher's ranking that
 * estimates the chance that the top topic is the right answer. It is learned from the repo's
 * content alone (`npm run faq:train`, scripts/train-faq.ts): every knowledge-base example is
 * matched by an index built without its fold (k-fold, stratified per topic and form, with an
 * example and its translations kept in one fold), every out-of-scope question of
 * content/faq-negatives likewise, and the regression learns which rankings were right. The
 * result (a dozen weights and two thresholds) is src/features/faq/calibration.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { FaqContentError, parseContentFile } from "./content.ts";

/** Names of the features a {@link Candidate} carries, in order (matcher.ts computes them). */
export const FEATURES = [
  "coverage", // IDF-weighted share of the question's words the topic explains
  "scaled", // coverage scaled down when the matched words carry little evidence
  "runnerUp", // best coverage among the other ranked topics
  "lead", // (coverage − runner-up) / coverage
  "logEvidence", // log(1 + IDF weight of the matched words)
  "unknownShare", // share of the question's weight in words the knowledge base does not know
  "logTerms", // log(1 + number of meaningful words)
  "bm25Margin", // BM25 minus the best other topic's, relative to the best BM25
  "keyMargin", // ranking key minus the best other topic's
  "outOfScope", // coverage of the question by the out-of-scope examples
  "conceptShare", // share of the coverage through lexicon concepts (synonyms, translations)
  "fuzzyShare", // share of the coverage through recovered spellings and sound keys
  "answerShare", // share of the coverage from words only the topic's answer has
  "fuzzyCoverage", // coverage × fuzzyShare: a question explained only by guesses
  "nearest", // similarity (weighted Dice) of the question and the topic's closest example
  "nearestMargin", // nearest minus the best other topic's nearest
  "nearestOutOfScope", // similarity of the question and the closest out-of-scope example
  "classifier", // the classifier's probability of the topic (classifier.ts)
  "classifierMargin", // that minus the best other ranked topic's
  "classifierOutOfScope", // the classifier's probability that the question is out of scope
] as const;

const thresholdsSchema = z.object({ confident: z.number().min(0).max(1), unsure: z.number().min(0).max(1) }).strict();

/** The shape of calibration.json. */
export const calibrationSchema = z
  .object({
    features: z.array(z.string()),
    mean: z.array(z.number()),
    scale: z.array(z.number().positive()),
    weights: z.array(z.number()),
    bias: z.number(),
    thresholds: thresholdsSchema,
    /** How it was made (content counts, folds, cross-validated figures); for people only. */
    trained: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A trained confidence model. */
export type Calibration = z.infer<typeof calibrationSchema>;

/** The chance (0..1) that a candidate with these features is the right answer. */
export function applyCalibration(c: Calibration, x: readonly number[]): number {
  let z = c.bias;
  for (let i = 0; i < c.weights.length; i++) z += (c.weights[i]! * ((x[i] ?? 0) - c.mean[i]!)) / c.scale[i]!;
  return 1 / (1 + Math.exp(-z));
}

/** Where the shipped calibration lives. */
export const CALIBRATION_FILE = join(dirname(fileURLToPath(import.meta.url)), "calibration.json");

/**
 * Reads and checks a calibration file. Throws FaqContentError naming the file and field when
 * it is malformed or was trained on other features than this code computes (run
 * `npm run faq:train`). A missing file gives null: the matcher then uses raw coverage.
 */
export function loadCalibration(file = CALIBRATION_FILE): Calibration | null {
  if (!existsSync(file)) return null;
  const c = parseContentFile(file, readFileSync(file, "utf8"), calibrationSchema);
  if (c.features.join(",") !== FEATURES.join(",")) {
    throw new FaqContentError(file, "features", `trained on [${c.features.join(", ")}], the matcher computes [${FEATURES.join(", ")}]: run npm run faq:train`);
  }
  for (const field of ["mean", "scale", "weights"] as const) {
    if (c[field].length !== FEATURES.length) throw new FaqContentError(file, field, `expected ${FEATURES.length} numbers, got ${c[field].length}`);
  }
  if (c.thresholds.unsure > c.thresholds.confident) throw new FaqContentError(file, "thresholds.unsure", "must not be above thresholds.confident");
  return c;
}

/** One training example: features, whether the top topic was right, and its weight. */
export interface TrainingRow {
  x: readonly number[];
  y: 0 | 1;
  weight: number;
}

/**
 * Fits a logistic regression with L2 penalty `l2` by Newton's method (a dozen features: the
 * exact optimum in a few iterations, no learning rate to tune). Features are standardised
 * first so the penalty treats them alike.
 */
export function trainLogistic(rows: readonly TrainingRow[], l2 = 1): Pick<Calibration, "mean" | "scale" | "weights" | "bias"> {
  const d = rows[0]?.x.length ?? 0;
  const total = rows.reduce((s, r) => s + r.weight, 0) || 1;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r.weight * r.x[j]!, 0) / total);
  const scale = Array.from({ length: d }, (_, j) => {
    const v = rows.reduce((s, r) => s + r.weight * (r.x[j]! - mean[j]!) ** 2, 0) / total;
    return Math.sqrt(v) || 1;
  });
  const xs = rows.map((r) => [1, ...r.x.map((v, j) => (v - mean[j]!) / scale[j]!)]);
  const n = d + 1;
  const beta = new Float64Array(n);
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Float64Array(n);
    const hess = new Float64Array(n * n); // row-major
    rows.forEach((r, i) => {
      const x = xs[i]!;
      let z = 0;
      for (let j = 0; j < n; j++) z += beta[j]! * x[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = r.weight * (p - r.y);
      const h = r.weight * Math.max(p * (1 - p), 1e-9);
      for (let j = 0; j < n; j++) {
        grad[j] = grad[j]! + g * x[j]!;
        for (let k = j; k < n; k++) hess[j * n + k] = hess[j * n + k]! + h * x[j]! * x[k]!;
      }
    });
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) hess[j * n + k] = hess[k * n + j]!;
      if (j > 0) {
        grad[j] = grad[j]! + l2 * beta[j]!; // the bias is not penalised
        hess[j * n + j] = hess[j * n + j]! + l2;
      }
    }
    const step = solve(hess, grad);
    let change = 0;
    for (let j = 0; j < n; j++) {
      beta[j] = beta[j]! - step[j]!;
      change = Math.max(change, Math.abs(step[j]!));
    }
    if (change < 1e-8) break;
  }
  return { mean, scale, weights: [...beta.slice(1)], bias: beta[0]! };
}

/** Solves A x = b (A row-major, small and symmetric) by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const m = new Float64Array(n * (n + 1)); // [A | b], row-major
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) m[r * (n + 1) + c] = a[r * n + c]!;
    m[r * (n + 1) + n] = b[r]!;
  }
  const at = (r: number, c: number) => m[r * (n + 1) + c]!;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(at(r, col)) > Math.abs(at(pivot, col))) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c <= n; c++) {
        const t = at(col, c);
        m[col * (n + 1) + c] = at(pivot, c);
        m[pivot * (n + 1) + c] = t;
      }
    }
    const p = at(col, col) || 1e-12;
    for (let r = col + 1; r < n; r++) {
      const f = at(r, col) / p;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r * (n + 1) + c] = m[r * (n + 1) + c]! - f * at(col, c);
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = at(r, n);
    for (let c = r + 1; c < n; c++) s -= at(r, c) * x[c]!;
    x[r] = s / (at(r, r) || 1e-12);
  }
  return x;
}
