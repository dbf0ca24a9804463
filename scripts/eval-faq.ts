/**
 * `npm run eval:faq [-- --file eval/faq-dev.jsonl] [--sweep] [--loo] [--errors]`
 *
 * Scores the FAQ matcher on a labelled set (one JSON object a line: {"text","lang","topic"},
 * topic null for out-of-scope questions): top-1 and top-3 accuracy per language and overall,
 * the out-of-scope rejection rate, language detection agreement, and the worst topics'
 * confusions. `--sweep` prints accuracy/rejection for a grid of thresholds (how the defaults
 * were chosen). `--loo` instead holds out each knowledge-base example in turn (a rough check
 * while no dev set exists).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { detectLanguage } from "../src/core/language.ts";
import { LANGS, type Lang } from "../src/core/types.ts";
import { loadFaqTopics, type FaqTopic } from "../src/features/faq/content.ts";
import { createFaqMatcher, DEFAULT_THRESHOLDS, type FaqMatch, type FaqThresholds, type MatcherOptions } from "../src/features/faq/matcher.ts";

const lineSchema = z.object({ text: z.string(), lang: z.enum(["en", "ur", "ur-Latn"]), topic: z.string().nullable() });
type Item = z.infer<typeof lineSchema>;

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const thresholds: FaqThresholds = {
  confident: Number(option("--confident") ?? DEFAULT_THRESHOLDS.confident),
  unsure: Number(option("--unsure") ?? DEFAULT_THRESHOLDS.unsure),
};

// Matcher knobs for experiments (defaults: the documented ones).
const knobs: MatcherOptions = {};
for (const k of ["answerWeight", "secondShare", "rankAlpha", "leadWeight", "unknownFactor", "answerCredit", "minEvidence"] as const) {
  const v = option(`--${k}`);
  if (v !== undefined) knobs[k] = Number(v);
}
if (flag("--perExample")) knobs.groupExamples = false;

const contentDir = resolve(option("--content") ?? "content/faq");
const topics = loadFaqTopics(contentDir);
if (topics.length === 0) {
  console.error(`No FAQ topics in ${contentDir}`);
  process.exit(2);
}

function readItems(file: string): Item[] {
  if (!existsSync(file)) {
    console.error(`No evaluation file ${file}`);
    process.exit(2);
  }
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l, i) => [l.trim(), i + 1] as const)
    .filter(([l]) => l)
    .map(([l, n]) => {
      const parsed = lineSchema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file}:${n}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

interface Outcome {
  item: Item;
  match: FaqMatch;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "-");

function decide(match: FaqMatch, t: FaqThresholds): string | null {
  return match.score >= t.confident ? (match.ranked[0]?.topic ?? null) : null;
}

function summarise(outcomes: Outcome[], t: FaqThresholds, print: boolean) {
  const rows: Array<{ lang: string; n: number; top1: number; top3: number }> = [];
  let oosN = 0;
  let oosRejected = 0;
  let langOk = 0;
  const confusion = new Map<string, Map<string, number>>();
  const perTopic = new Map<string, { n: number; ok: number }>();
  for (const lang of [...LANGS, "all"] as const) rows.push({ lang, n: 0, top1: 0, top3: 0 });
  for (const { item, match } of outcomes) {
    if (detectLanguage(item.text).lang === item.lang) langOk += 1;
    const predicted = decide(match, t);
    if (item.topic === null) {
      oosN += 1;
      if (predicted === null) oosRejected += 1;
      continue;
    }
    const top1 = predicted === item.topic;
    const top3 = match.ranked.slice(0, 3).some((r) => r.topic === item.topic);
    for (const row of rows.filter((r) => r.lang === item.lang || r.lang === "all")) {
      row.n += 1;
      row.top1 += top1 ? 1 : 0;
      row.top3 += top3 ? 1 : 0;
    }
    const stat = perTopic.get(item.topic) ?? { n: 0, ok: 0 };
    stat.n += 1;
    stat.ok += top1 ? 1 : 0;
    perTopic.set(item.topic, stat);
    if (!top1) {
      const c = confusion.get(item.topic) ?? new Map<string, number>();
      const key = predicted ?? `(none; top ${match.ranked[0]?.topic ?? "-"} ${match.score})`.replace(/ [\d.]+\)$/, ")");
      c.set(key, (c.get(key) ?? 0) + 1);
      confusion.set(item.topic, c);
    }
  }
  const all = rows.find((r) => r.lang === "all")!;
  if (print) {
    console.log(`thresholds: confident ≥ ${t.confident}, unsure ≥ ${t.unsure}`);
    console.log("lang      n     top-1    top-3");
    for (const r of rows) console.log(`${r.lang.padEnd(8)} ${String(r.n).padStart(4)}  ${pct(r.top1, r.n).padStart(7)}  ${pct(r.top3, r.n).padStart(7)}`);
    console.log(`out-of-scope rejected: ${oosRejected}/${oosN} = ${pct(oosRejected, oosN)}`);
    console.log(`language detected as labelled: ${langOk}/${outcomes.length} = ${pct(langOk, outcomes.length)}`);
    const worst = [...perTopic.entries()].filter(([, s]) => s.ok < s.n).sort((a, b) => a[1].ok / a[1].n - b[1].ok / b[1].n).slice(0, 8);
    if (worst.length) console.log("\nworst topics (top-1 correct/n → what was answered instead):");
    for (const [topic, s] of worst) {
      const c = [...(confusion.get(topic) ?? new Map()).entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${v}`);
      console.log(`  ${topic} ${s.ok}/${s.n} → ${c.join(", ")}`);
    }
  }
  return { top1: all.top1 / Math.max(1, all.n), rejection: oosRejected / Math.max(1, oosN), rows };
}

function runOutcomes(items: Item[], matcherTopics: FaqTopic[]): Outcome[] {
  const matcher = createFaqMatcher(matcherTopics, knobs);
  return items.map((item) => ({ item, match: matcher.match(item.text) }));
}

function leaveOneOut(): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const topic of topics) {
    for (const lang of LANGS) {
      topic.examples[lang].forEach((text, i) => {
        const reduced = topics.map((t) =>
          t.id !== topic.id ? t : { ...t, examples: { ...t.examples, [lang]: t.examples[lang].filter((_, j) => j !== i) } },
        );
        outcomes.push(...runOutcomes([{ text, lang: lang as Lang, topic: topic.id }], reduced));
      });
    }
  }
  return outcomes;
}

const outcomes = flag("--loo") ? leaveOneOut() : runOutcomes(readItems(resolve(option("--file") ?? join("eval", "faq-dev.jsonl"))), topics);
console.log(`${topics.length} topics, ${outcomes.length} questions${flag("--loo") ? " (leave-one-out over examples)" : ""}\n`);
summarise(outcomes, thresholds, true);

if (flag("--errors")) {
  console.log("\nerrors:");
  for (const { item, match } of outcomes) {
    const predicted = decide(match, thresholds);
    if (predicted !== item.topic) console.log(`  [${item.lang}] ${item.text}  →  ${predicted ?? "null"} (want ${item.topic}; ${match.ranked.slice(0, 3).map((r) => `${r.topic} ${r.score}`).join(", ")})`);
  }
}

if (flag("--sweep")) {
  console.log("\nsweep (confident threshold → top-1 overall / out-of-scope rejected):");
  for (let c = 0.2; c <= 0.8001; c += 0.05) {
    const s = summarise(outcomes, { confident: c, unsure: Math.min(c, thresholds.unsure) }, false);
    console.log(`  ${c.toFixed(2)}  ${pct(s.top1, 1)}  ${pct(s.rejection, 1)}  ${s.rows.slice(0, 3).map((r) => `${r.lang} ${pct(r.top1, r.n)}`).join(" ")}`);
  }
}
