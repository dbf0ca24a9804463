/**
 * `npm run eval:faq [-- --file eval/faq-dev.jsonl] [--summary] [--errors] [--sweep] [--no-cv] [--retrain]`
 *
 * Scores the FAQ matcher on a labelled set (one JSON object a line: {"text","lang","topic"},
 * topic null for out-of-scope questions): top-1 (answered confidently and right) and top-3
 * per form and overall, out-of-scope rejection, language detection agreement, the worst
 * topics. Next to it, the cross-validated figures: k-fold over the knowledge base's own
 * examples and out-of-scope questions (src/features/faq/train.ts), which no eval file
 * touches. `--sweep` prints both at a range of thresholds, `--errors` every miss of the file
 * and the default worst-topics list what was answered instead (neither for held-out sets:
 * looking at their lines is tuning on them; `--summary` prints the figures only). Matcher knobs
 * (`--rankAlpha 0.5` …) or `--retrain` use a calibration trained in this run instead of the
 * shipped one.
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { cliArgs, readJsonLines } from "./eval-support.ts";
import { detectLanguage } from "../src/core/language.ts";
import { LANGS } from "../src/core/types.ts";
import { loadCalibration, type Calibration } from "../src/features/faq/calibration.ts";
import { loadFaqContent } from "../src/features/faq/knowledge.ts";
import { createFaqMatcher, decide, isAmbiguous, type FaqMatch, type RankingOptions } from "../src/features/faq/matcher.ts";
import { figuresAt, trainFaqCalibration, type Figures, type Judged } from "../src/features/faq/train.ts";

const lineSchema = z.object({ text: z.string(), lang: z.enum(["en", "ur", "ur-Latn"]), topic: z.string().nullable() });
type Item = z.infer<typeof lineSchema>;

const { flag, option } = cliArgs();

const knobs: RankingOptions = {};
for (const k of ["answerWeight", "rankAlpha", "unknownFactor", "answerCredit", "minEvidence", "recoveredCredit", "soundCredit", "conceptCredit", "stemCredit", "classifierWeight"] as const) {
  const v = option(`--${k}`);
  if (v !== undefined) knobs[k] = Number(v);
}

const contentDir = resolve(option("--content") ?? "content/faq");
const content = loadFaqContent(contentDir);
if (content.topics.length === 0) {
  console.error(`No FAQ topics in ${contentDir}`);
  process.exit(2);
}

const readItems = (file: string): Item[] => readJsonLines(file, lineSchema);

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "-");

const needsTraining = !flag("--no-cv") || flag("--retrain") || Object.keys(knobs).length > 0;
const trained = needsTraining ? trainFaqCalibration(content.topics, content.negatives, content.lexicon, { ranking: knobs }) : undefined;
const shipped = loadCalibration();
const calibration: Calibration | null = flag("--retrain") || Object.keys(knobs).length > 0 ? trained!.calibration : shipped;
if (trained && shipped && trained.calibration.weights.some((w, i) => Math.abs(w - shipped.weights[i]!) > 0.01)) {
  console.log("note: src/features/faq/calibration.json differs from a calibration trained on this content: run npm run faq:train\n");
}
const thresholds = {
  confident: Number(option("--confident") ?? calibration?.thresholds.confident ?? 0.4),
  unsure: Number(option("--unsure") ?? calibration?.thresholds.unsure ?? 0.2),
};

const file = resolve(option("--file") ?? join("eval", "faq-dev.jsonl"));
const items = readItems(file);
const matcher = createFaqMatcher(content.topics, { ...knobs, lexicon: content.lexicon, negatives: LANGS.flatMap((l) => content.negatives[l]), calibration, thresholds });
const outcomes = items.map((item) => ({ item, match: matcher.match(item.text) }));
const judged: Judged[] = outcomes.map(({ item, match }) => ({ lang: item.lang, topic: item.topic, ranked: match.ranked.map((r) => r.topic), score: match.score, ambiguous: isAmbiguous(matcher.rank(item.text)) }));

function table(title: string, f: Figures) {
  console.log(title);
  console.log("  lang       n     top-1    top-3");
  for (const l of [...LANGS, "all"] as const) {
    const r = f.forms[l];
    console.log(`  ${l.padEnd(8)} ${String(r.n).padStart(4)}  ${pct(r.top1, r.n).padStart(7)}  ${pct(r.top3, r.n).padStart(7)}`);
  }
  console.log(`  out-of-scope rejected: ${f.outOfScope.rejected}/${f.outOfScope.n} = ${pct(f.outOfScope.rejected, f.outOfScope.n)}`);
}

console.log(`${content.topics.length} topics, ${content.lexicon.length} lexicon concepts; thresholds: confident ≥ ${thresholds.confident}, unsure ≥ ${thresholds.unsure}\n`);
table(`${file.replace(`${process.cwd()}/`, "")}: ${items.length} questions`, figuresAt(judged, thresholds.confident));
const langOk = items.filter((i) => detectLanguage(i.text).lang === i.lang).length;
console.log(`  language detected as labelled: ${langOk}/${items.length} = ${pct(langOk, items.length)}`);

// Worst topics of the file and what was answered instead.
const perTopic = new Map<string, { n: number; ok: number; instead: Map<string, number> }>();
for (const { item, match } of outcomes) {
  if (item.topic === null) continue;
  const stat = perTopic.get(item.topic) ?? { n: 0, ok: 0, instead: new Map() };
  stat.n += 1;
  if (match.topic === item.topic) stat.ok += 1;
  else {
    const key = match.topic ?? `(${match.decision}; top ${match.ranked[0]?.topic ?? "-"})`;
    stat.instead.set(key, (stat.instead.get(key) ?? 0) + 1);
  }
  perTopic.set(item.topic, stat);
}
// Per-topic confusions name topics of the file: not for held-out sets (--summary).
const worst = flag("--summary") ? [] : [...perTopic.entries()].filter(([, s]) => s.ok < s.n).sort((a, b) => a[1].ok / a[1].n - b[1].ok / b[1].n).slice(0, 8);
if (worst.length) console.log("\n  worst topics (top-1 right/n → what was answered instead):");
for (const [topic, s] of worst) console.log(`    ${topic} ${s.ok}/${s.n} → ${[...s.instead].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${v}`).join(", ")}`);

if (trained) {
  console.log("");
  const n = trained.judged.filter((j) => j.topic !== null).length;
  table(`cross-validated (5-fold over the knowledge base: ${n} examples, ${trained.judged.length - n} out-of-scope questions)`, figuresAt(trained.judged, thresholds.confident));
}

if (flag("--errors")) {
  console.log("\nerrors:");
  const show = (m: FaqMatch) => m.ranked.slice(0, 3).map((r) => `${r.topic} ${r.score}`).join(", ");
  for (const { item, match } of outcomes) {
    if (match.topic !== item.topic) console.log(`  [${item.lang}] ${item.text}  →  ${match.topic ?? "null"} (want ${item.topic}; ${show(match)})`);
  }
}

// Misses of the cross-validation (the knowledge base's own examples, never an eval file):
// `--cv-errors` for all forms, `--cv-errors ur-Latn` for one.
if (trained && flag("--cv-errors")) {
  const form = option("--cv-errors");
  console.log("\ncross-validated errors:");
  for (const j of trained.judged) {
    if (form && LANGS.includes(form as never) && j.lang !== form) continue;
    const answered = decide(j.score, j.ambiguous ?? false, thresholds) === "confident" ? j.ranked[0] : undefined;
    if (answered === (j.topic ?? undefined)) continue;
    console.log(`  [${j.lang}] ${j.text}  →  ${answered ?? "null"} (want ${j.topic}; ${j.ranked.slice(0, 3).join(", ")} ${j.score.toFixed(2)})`);
  }
}

if (flag("--sweep")) {
  // The trade-off between answering and rejecting, on the file and (the honest curve) on the
  // cross-validation; the shipped threshold is marked with *.
  console.log("\nsweep: confident ≥ → file top-1 / out-of-scope rejected" + (trained ? " | cross-validated top-1 (en, ur, ur-Latn) / rejected" : ""));
  const steps = [...new Set([...Array.from({ length: 16 }, (_, i) => Math.round((0.05 + 0.05 * i) * 100) / 100), thresholds.confident])].sort((a, b) => a - b);
  for (const c of steps) {
    const f = figuresAt(judged, c);
    const cv = trained ? figuresAt(trained.judged, c) : undefined;
    const cvText = cv
      ? ` | ${pct(cv.forms.all.top1, cv.forms.all.n)} (${LANGS.map((l) => pct(cv.forms[l].top1, cv.forms[l].n)).join(", ")}) / ${pct(cv.outOfScope.rejected, cv.outOfScope.n)}`
      : "";
    const mark = c === thresholds.confident ? "*" : " ";
    console.log(`  ${c.toFixed(2)}${mark} ${pct(f.forms.all.top1, f.forms.all.n)} / ${pct(f.outOfScope.rejected, f.outOfScope.n)}${cvText}`);
  }
}
