/**
 * The confidence model: the logistic regression itself, the shipped calibration file and its
 * error messages, the k-fold plan, and training on the real knowledge base (the score is a
 * probability: high scores are mostly right, low ones mostly wrong or out of scope).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { applyCalibration, CALIBRATION_FILE, FEATURES, loadCalibration, trainLogistic, type Calibration, type TrainingRow } from "../../src/features/faq/calibration.ts";
import { planFolds } from "../../src/features/faq/crossval.ts";
import { loadFaqContent } from "../../src/features/faq/knowledge.ts";
import { createFaqMatcher, RAW_THRESHOLDS } from "../../src/features/faq/matcher.ts";
import { chooseConfident, figuresAt, trainFaqCalibration, type Judged, type Trained } from "../../src/features/faq/train.ts";

const content = loadFaqContent(resolve("content/faq"));

describe("trainLogistic", () => {
  // y = 1 mostly when x > 0.5; a feature that says nothing next to it.
  const rows: TrainingRow[] = Array.from({ length: 200 }, (_, i) => {
    const x = i / 200;
    const noise = ((i * 7919) % 13) / 13;
    return { x: [x, noise], y: (x > 0.5) !== (i % 17 === 0) ? 1 : 0, weight: 1 };
  });
  const model = (l2: number): Calibration => ({ features: ["x", "noise"], ...trainLogistic(rows, l2), thresholds: { confident: 0.5, unsure: 0.25 } });

  it("learns the telling feature and gives probabilities that rise with it", () => {
    const m = model(1);
    expect(m.weights[0]!).toBeGreaterThan(1);
    expect(Math.abs(m.weights[1]!)).toBeLessThan(0.5 * m.weights[0]!);
    const p = [0.1, 0.4, 0.6, 0.9].map((x) => applyCalibration(m, [x, 0.5]));
    expect(p).toEqual([...p].sort((a, b) => a - b));
    expect(p[0]!).toBeLessThan(0.2);
    expect(p[3]!).toBeGreaterThan(0.8);
  });

  it("shrinks the weights with a stronger penalty", () => {
    expect(model(100).weights[0]!).toBeLessThan(model(1).weights[0]!);
  });
});

describe("the calibration file", () => {
  const write = (json: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), "calibration-")), "calibration.json");
    writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
    return file;
  };
  const shipped = loadCalibration()!;

  it("ships trained on the features the matcher computes, with sane thresholds", () => {
    expect(CALIBRATION_FILE).toMatch(/src\/features\/faq\/calibration\.json$/);
    expect(shipped.features).toEqual([...FEATURES]);
    expect(shipped.thresholds.unsure).toBeGreaterThan(0);
    expect(shipped.thresholds.unsure).toBeLessThan(shipped.thresholds.confident);
    expect(shipped.thresholds.confident).toBeLessThan(1);
  });

  it("names the file and field of a bad one, and asks for a retrain when the features changed", () => {
    expect(() => loadCalibration(write("{"))).toThrow(/calibration\.json: \(file\): not valid JSON/);
    expect(() => loadCalibration(write({ ...shipped, bias: "high" }))).toThrow(/calibration\.json: bias: /);
    expect(() => loadCalibration(write({ ...shipped, features: ["coverage"] }))).toThrow(/calibration\.json: features: .*run npm run faq:train/);
    expect(() => loadCalibration(write({ ...shipped, weights: [1, 2] }))).toThrow(/calibration\.json: weights: expected \d+ numbers, got 2/);
    expect(() => loadCalibration(write({ ...shipped, thresholds: { confident: 0.3, unsure: 0.5 } }))).toThrow(/thresholds\.unsure: must not be above/);
  });

  it("is optional: without one the matcher decides on raw coverage", () => {
    expect(loadCalibration(join(tmpdir(), "no-such-calibration.json"))).toBeNull();
    expect(createFaqMatcher(content.topics, { lexicon: content.lexicon }).thresholds).toEqual(RAW_THRESHOLDS);
  });
});

describe("k-fold plan", () => {
  const plan = planFolds(content.topics, content.negatives, content.lexicon, 5, 1);
  const foldOf = (text: string) => plan.find((h) => h.text === text)?.fold;

  it("holds every example and out-of-scope question out exactly once, in folds of similar size", () => {
    const examples = content.topics.reduce((n, t) => n + t.examples.en.length + t.examples.ur.length + t.examples["ur-Latn"].length, 0);
    const negatives = content.negatives.en.length + content.negatives.ur.length + content.negatives["ur-Latn"].length;
    expect(plan.filter((h) => h.topic !== null)).toHaveLength(examples);
    expect(plan.filter((h) => h.topic === null)).toHaveLength(negatives);
    const sizes = [0, 1, 2, 3, 4].map((f) => plan.filter((h) => h.fold === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(0.1 * (examples + negatives));
  });

  it("keeps an example and its translation in one fold (else the Urdu line is found through its Roman copy)", () => {
    const topic = content.topics.find((t) => t.id === "register-account")!;
    const urdu = topic.examples.ur.find((e) => e.startsWith("رجسٹریشن آن لائن"))!;
    const roman = topic.examples["ur-Latn"].find((e) => e.startsWith("registration online"))!;
    expect(foldOf(urdu)).toBe(foldOf(roman));
    expect(foldOf("kal lahore mein barish hogi kya")).toBe(foldOf("کل لاہور میں بارش ہوگی؟"));
  });

  it("is stratified per topic and the same on every run", () => {
    for (const topic of content.topics) {
      const folds = new Set(plan.filter((h) => h.topic === topic.id).map((h) => h.fold));
      expect(folds.size, topic.id).toBe(5);
    }
    expect(planFolds(content.topics, content.negatives, content.lexicon, 5, 1)).toEqual(plan);
  });
});

describe("choosing the threshold", () => {
  const judged: Judged[] = [
    ...[0.9, 0.8, 0.7, 0.3].map((score) => ({ lang: "en" as const, topic: "a", ranked: ["a", "b"], score })),
    { lang: "ur", topic: "b", ranked: ["a", "b"], score: 0.95 }, // wrong top: never counted right
    ...[0.6, 0.2, 0.1, 0.05].map((score) => ({ lang: "ur-Latn" as const, topic: null, ranked: ["a"], score })),
  ];

  it("takes the lowest threshold that rejects the target share of out-of-scope questions", () => {
    expect(chooseConfident(judged, 0.75)).toBe(0.21);
    expect(chooseConfident(judged, 1)).toBe(0.61);
  });

  it("counts right answers, top-3 and rejections per form", () => {
    const f = figuresAt(judged, 0.5);
    expect(f.forms.en).toEqual({ n: 4, top1: 3, top3: 4 });
    expect(f.forms.ur).toEqual({ n: 1, top1: 0, top3: 1 });
    expect(f.forms.all).toEqual({ n: 5, top1: 3, top3: 5 });
    expect(f.outOfScope).toEqual({ n: 4, rejected: 3 });
  });
});

describe("training on the knowledge base", () => {
  let trained: Trained;
  beforeAll(() => {
    trained = trainFaqCalibration(content.topics, content.negatives, content.lexicon);
  });

  it("reaches the floor the FAQ needs on questions held out of the index and the regression", () => {
    const { forms, outOfScope } = trained.figures;
    expect(forms.all.top1 / forms.all.n).toBeGreaterThan(0.85);
    expect(forms.all.top3 / forms.all.n).toBeGreaterThan(0.95);
    expect(outOfScope.rejected / outOfScope.n).toBeGreaterThanOrEqual(0.9);
    for (const lang of ["en", "ur", "ur-Latn"] as const) expect(forms[lang].top1 / forms[lang].n, lang).toBeGreaterThan(0.82);
  });

  it("gives a score that is a probability: high scores are mostly right, low ones mostly not", () => {
    const rightShare = (lo: number, hi: number) => {
      const rows = trained.judged.filter((j) => j.score >= lo && j.score < hi);
      return rows.filter((j) => j.topic !== null && j.ranked[0] === j.topic).length / Math.max(1, rows.length);
    };
    expect(rightShare(0.8, 1.01)).toBeGreaterThan(0.8);
    expect(rightShare(0, 0.2)).toBeLessThan(0.3);
  });

  it("writes what it was trained on into the calibration", () => {
    expect(trained.calibration.features).toEqual([...FEATURES]);
    expect(trained.calibration.trained).toMatchObject({ topics: content.topics.length, folds: 5 });
  });
});
