/**
 * Learning the FAQ confidence from the knowledge base alone (`npm run faq:train`), and the
 * cross-validated figures `npm run eval:faq` reports next to the dev figures.
 *
 * 1. k-fold over the examples (crossval.ts): each held-out question is ranked by an index
 *    built without its fold; out-of-scope questions (content/faq-negatives) likewise.
 * 2. Every ranking becomes a training row: the top topic's features, and whether it was the
 *    right answer (never, for an out-of-scope question).
 * 3. The shipped calibration is a logistic regression fitted on all rows. The figures are
 *    out-of-fold twice over: a row's confidence comes from a regression fitted on the other
 *    folds' rows only, so neither the index nor the regression saw the question.
 * 4. The confident threshold is the one that keeps out-of-scope rejection at the target
 *    with the most right answers; "unsure" starts at half of it.
 */
import { LANGS, type Lang } from "../../core/types.ts";
import { applyCalibration, FEATURES, trainLogistic, type Calibration, type TrainingRow } from "./calibration.ts";
import type { FaqNegatives, FaqTopic } from "./content.ts";
import { crossValidate, planFolds, type FoldResult } from "./crossval.ts";
import type { Concept } from "./lexicon.ts";
import { decide, isAmbiguous, type RankingOptions } from "./matcher.ts";

/** Settings of a training run (defaults are the documented ones). */
export interface TrainOptions {
  folds?: number;
  seed?: number;
  /** L2 penalty of the regression. */
  l2?: number;
  /** Share of out-of-scope questions the confident threshold must reject. */
  targetRejection?: number;
  ranking?: RankingOptions;
}

/** A held-out question with its ranking and its out-of-fold confidence. */
export interface Judged {
  /** The question (for listing cross-validated misses). */
  text?: string;
  lang: Lang;
  /** The right topic, null for out-of-scope. */
  topic: string | null;
  /** Ranked topic ids, best first. */
  ranked: string[];
  /** Confidence in the top topic. */
  score: number;
  /** Two topics explain every word (matcher.ts isAmbiguous): answered only from AMBIGUOUS_CONFIDENT. */
  ambiguous?: boolean;
}

/** Top-1 / top-3 per form and overall, and out-of-scope rejection, at one threshold. */
export interface Figures {
  forms: Record<Lang | "all", { n: number; top1: number; top3: number }>;
  outOfScope: { n: number; rejected: number };
}

/** The outcome of a training run. */
export interface Trained {
  calibration: Calibration;
  /** Every held-out question, judged out-of-fold. */
  judged: Judged[];
  /** The cross-validated figures at the chosen thresholds. */
  figures: Figures;
}

/** The training row of one ranking. */
export function trainingRow(result: FoldResult): TrainingRow | null {
  const top = result.candidates[0];
  if (!top) return null; // nothing matched: always "none", nothing to learn
  return { x: top.features, y: result.item.topic !== null && top.topic === result.item.topic ? 1 : 0, weight: 1 };
}

/** Counts right answers (confident and right) and rejected out-of-scope questions at `confident`. */
export function figuresAt(judged: readonly Judged[], confident: number): Figures {
  const forms = Object.fromEntries([...LANGS, "all"].map((l) => [l, { n: 0, top1: 0, top3: 0 }])) as Figures["forms"];
  const outOfScope = { n: 0, rejected: 0 };
  for (const j of judged) {
    const answered = decide(j.score, j.ambiguous ?? false, { confident, unsure: 0 }) === "confident" ? j.ranked[0] : undefined;
    if (j.topic === null) {
      outOfScope.n += 1;
      if (answered === undefined) outOfScope.rejected += 1;
      continue;
    }
    for (const row of [forms[j.lang], forms.all]) {
      row.n += 1;
      if (answered === j.topic) row.top1 += 1;
      if (j.ranked.slice(0, 3).includes(j.topic)) row.top3 += 1;
    }
  }
  return { forms, outOfScope };
}

/** The lowest threshold (0.01 steps) that rejects `target` of the out-of-scope questions. */
export function chooseConfident(judged: readonly Judged[], target: number): number {
  for (let t = 1; t <= 99; t++) {
    const f = figuresAt(judged, t / 100);
    if (f.outOfScope.n === 0 || f.outOfScope.rejected / f.outOfScope.n >= target) return t / 100;
  }
  return 0.99;
}

/** Runs k-fold over the knowledge base and fits the confidence model. */
export function trainFaqCalibration(topics: readonly FaqTopic[], negatives: FaqNegatives, lexicon: readonly Concept[], options: TrainOptions = {}): Trained {
  const folds = options.folds ?? 5;
  const l2 = options.l2 ?? 1;
  const plan = planFolds(topics, negatives, lexicon, folds, options.seed ?? 1);
  const results = crossValidate(topics, plan, { ...options.ranking, lexicon });

  const judged: Judged[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const rows = results.filter((r) => r.item.fold !== fold).map(trainingRow).filter((r): r is TrainingRow => r !== null);
    const model: Calibration = { features: [...FEATURES], ...trainLogistic(rows, l2), thresholds: { confident: 1, unsure: 1 } };
    for (const r of results) {
      if (r.item.fold !== fold) continue;
      const top = r.candidates[0];
      judged.push({ text: r.item.text, lang: r.item.lang, topic: r.item.topic, ranked: r.candidates.map((c) => c.topic), score: top ? applyCalibration(model, top.features) : 0, ambiguous: isAmbiguous(r.candidates) });
    }
  }
  const confident = chooseConfident(judged, options.targetRejection ?? 0.9);
  const figures = figuresAt(judged, confident);

  const rows = results.map(trainingRow).filter((r): r is TrainingRow => r !== null);
  const calibration: Calibration = {
    features: [...FEATURES],
    ...trainLogistic(rows, l2),
    thresholds: { confident, unsure: Math.round((confident / 2) * 100) / 100 },
    trained: {
      topics: topics.length,
      examples: plan.filter((h) => h.topic !== null).length,
      outOfScope: plan.filter((h) => h.topic === null).length,
      lexiconConcepts: lexicon.length,
      folds,
      l2,
      targetRejection: options.targetRejection ?? 0.9,
      crossValidated: summary(figures),
    },
  };
  return { calibration, judged, figures };
}

/** Figures as short percentages, for calibration.json and reports. */
export function summary(f: Figures): Record<string, string> {
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "-");
  const out: Record<string, string> = {};
  for (const l of [...LANGS, "all"] as const) out[`top1.${l}`] = pct(f.forms[l].top1, f.forms[l].n);
  out["top3.all"] = pct(f.forms.all.top3, f.forms.all.n);
  out.outOfScopeRejected = pct(f.outOfScope.rejected, f.outOfScope.n);
  return out;
}
