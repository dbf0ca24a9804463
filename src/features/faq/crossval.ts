/**
 * k-fold cross-validation over the knowledge base: every example question (and every
 * out-of-scope question of content/faq-negatives) is matched by an index built without its
 * fold, so the figures say how the matcher does on wording it has not seen. Folds are
 * stratified per topic and form, and an example and its translations (an Urdu example and
 * its Roman twin, which the transliteration layer makes nearly identical) stay in one fold:
 * otherwise the held-out Urdu line would be found through its Roman copy.
 *
 * Used by `npm run faq:train` (to learn the confidence) and `npm run eval:faq` (to report
 * the cross-validated figure next to the dev figure).
 */
import { LANGS, type Lang } from "../../core/types.ts";
import type { FaqNegatives, FaqTopic } from "./content.ts";
import { createConceptFinder, type Concept } from "./lexicon.ts";
import { createFaqMatcher, type Candidate, type MatcherOptions } from "./matcher.ts";
import { createAnalyzer } from "./terms.ts";

/** One question held out in one fold; `topic` null for an out-of-scope question. */
export interface HeldOut {
  text: string;
  lang: Lang;
  topic: string | null;
  fold: number;
  /** Position in its topic's examples (or the out-of-scope questions) of that form. */
  index: number;
}

/** A held-out question with the ranking an index built without its fold gave it. */
export interface FoldResult {
  item: HeldOut;
  candidates: Candidate[];
}

/** Term overlap (Jaccard) from which two examples of a topic in different forms are translations. */
const TWIN_SIMILARITY = 0.4;

/** A small deterministic generator (mulberry32), so folds are the same on every run. */
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

function shuffle<T>(list: T[], next: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/**
 * Assigns every example and out-of-scope question to one of `k` folds: per topic, groups of
 * translated examples are dealt in turn to the fold that has the fewest of that topic's
 * examples in the group's form; out-of-scope questions are dealt round-robin per form.
 */
export function planFolds(topics: readonly FaqTopic[], negatives: FaqNegatives, lexicon: readonly Concept[], k = 5, seed = 1): HeldOut[] {
  const next = random(seed);
  const analyze = createAnalyzer(createConceptFinder(lexicon));
  // Each word by what does not depend on its script (its concept, else its sound key
  // without the script, else itself): an Urdu example and its Roman twin meet there.
  const termSet = (text: string) => new Set(analyze(text, Infinity).map((t) => t.concept ?? (t.sound ? `~${t.sound.key}` : t.term)));
  const out: HeldOut[] = [];
  // Out-of-scope questions are dealt like one more topic (they are translated too).
  for (const [topic, examples] of [...topics.map((t) => [t.id, t.examples] as const), [null, negatives] as const]) {
    const items = LANGS.flatMap((lang) => examples[lang].map((text, index) => ({ text, lang, index, terms: termSet(text) })));
    const load = Array.from({ length: k }, () => new Map<Lang, number>());
    const offset = Math.floor(next() * k);
    for (const group of shuffle(translationGroups(items), next).sort((a, b) => b.length - a.length)) {
      let best = 0;
      let bestLoad = Infinity;
      for (let f0 = 0; f0 < k; f0++) {
        const f = (f0 + offset) % k;
        const l = group.reduce((s, item) => s + (load[f]!.get(item.lang) ?? 0), 0) * 10 + [...load[f]!.values()].reduce((s, v) => s + v, 0);
        if (l < bestLoad) [best, bestLoad] = [f, l];
      }
      for (const item of group) {
        load[best]!.set(item.lang, (load[best]!.get(item.lang) ?? 0) + 1);
        out.push({ text: item.text, lang: item.lang, topic, fold: best, index: item.index });
      }
    }
  }
  return out;
}

/**
 * Groups examples that are translations of each other: for each pair of forms, examples
 * paired greedily by term overlap (Jaccard ≥ TWIN_SIMILARITY, two shared terms at least),
 * each example at most once per other form, so no group chains through common words.
 */
function translationGroups<T extends { lang: Lang; terms: Set<string> }>(items: T[]): T[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const [la, lb] of [["ur", "ur-Latn"], ["en", "ur-Latn"], ["en", "ur"]] as const) {
    const pairs: Array<[number, number, number]> = [];
    items.forEach((a, i) => {
      if (a.lang !== la) return;
      items.forEach((b, j) => {
        if (b.lang !== lb) return;
        let shared = 0;
        for (const t of a.terms) if (b.terms.has(t)) shared += 1;
        const jaccard = shared / Math.max(1, a.terms.size + b.terms.size - shared);
        if (shared >= 2 && jaccard >= TWIN_SIMILARITY) pairs.push([jaccard, i, j]);
      });
    });
    const used = new Set<number>();
    for (const [, i, j] of pairs.sort((x, y) => y[0] - x[0])) {
      if (used.has(i) || used.has(j)) continue;
      used.add(i).add(j);
      parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, T[]>();
  items.forEach((item, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), item]));
  return [...groups.values()];
}

/** The topics without the examples of one fold (keywords and answers stay). */
function withoutFold(topics: readonly FaqTopic[], plan: readonly HeldOut[], fold: number): FaqTopic[] {
  const out = new Set(plan.filter((h) => h.fold === fold && h.topic !== null).map((h) => `${h.topic}|${h.lang}|${h.index}`));
  return topics.map((t) => ({
    ...t,
    examples: {
      en: t.examples.en.filter((_, i) => !out.has(`${t.id}|en|${i}`)),
      ur: t.examples.ur.filter((_, i) => !out.has(`${t.id}|ur|${i}`)),
      "ur-Latn": t.examples["ur-Latn"].filter((_, i) => !out.has(`${t.id}|ur-Latn|${i}`)),
    },
  }));
}

/**
 * Matches every held-out question of `plan` with an uncalibrated matcher built from the
 * other folds (the ranking and its features; the confidence is learned from these).
 */
export function crossValidate(topics: readonly FaqTopic[], plan: readonly HeldOut[], options: MatcherOptions = {}, indexNegatives = true): FoldResult[] {
  const k = Math.max(...plan.map((h) => h.fold)) + 1;
  const results: FoldResult[] = [];
  for (let fold = 0; fold < k; fold++) {
    const negatives = indexNegatives ? plan.filter((h) => h.topic === null && h.fold !== fold).map((h) => h.text) : [];
    const matcher = createFaqMatcher(withoutFold(topics, plan, fold), { ...options, negatives, calibration: null });
    for (const item of plan) if (item.fold === fold) results.push({ item, candidates: matcher.rank(item.text) });
  }
  return results;
}
