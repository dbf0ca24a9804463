/**
 * Ranked retrieval over the knowledge base with MiniSearch (BM25), plus a confidence score
 * that says whether to answer, ask "did you mean", or admit that nothing fits.
 *
 * Every example question, keyword phrase and (lightly weighted) answer of a topic, in all
 * three forms, is one small document. A question's topic score is its best document's score
 * plus a share of the second best (a topic several examples agree on wins ties). The
 * confidence in [0, 1] combines how much of the question the top topic explains (IDF-weighted
 * coverage of the question's words) with how far it is ahead of the runner-up; thresholds on
 * it were chosen on eval/faq-dev.jsonl (docs/faq.md, docs/decisions/0101-faq-matching.md).
 */
import MiniSearch from "minisearch";
import { LANGS } from "../../core/types.ts";
import type { FaqTopic } from "./content.ts";
import { matchTokens, skeleton } from "./normalize.ts";

/** What the matcher concluded about one question. */
export type FaqDecision = "confident" | "unsure" | "none";

/** The outcome of matching one question. */
export interface FaqMatch {
  /** The answered topic when confident, else null. */
  topic: string | null;
  /** Confidence in the best topic, 0..1 (3 decimals). */
  score: number;
  decision: FaqDecision;
  /** Topics best first with their confidence (at most 5). */
  ranked: Array<{ topic: string; score: number }>;
}

/** Decision thresholds on the confidence score. */
export interface FaqThresholds {
  /** At or above: answer the top topic. */
  confident: number;
  /** At or above (and below `confident`): offer the top topics as "did you mean". */
  unsure: number;
}

/** Chosen on the dev set; see docs/faq.md for the sweep. */
export const DEFAULT_THRESHOLDS: FaqThresholds = { confident: 0.4, unsure: 0.22 };

/** Tuning knobs (defaults are the documented ones; eval may sweep them). */
export interface MatcherOptions {
  thresholds?: FaqThresholds;
  /** Weight of a topic's answer text relative to its examples. */
  answerWeight?: number;
  /** Share of the second-best document added to a topic's score. */
  secondShare?: number;
  /** Weight of the (max-normalised) BM25 score next to coverage when ranking topics. */
  rankAlpha?: number;
  /** How much of the confidence depends on the lead over the runner-up. */
  leadWeight?: number;
  /** Weight of a word the knowledge base does not know, relative to the rarest known word. */
  unknownFactor?: number;
  /** Coverage credit for a question word found only in the topic's answer. */
  answerCredit?: number;
  /** Matched word weight (sum of IDFs) below which confidence is scaled down. */
  minEvidence?: number;
  /** Index a topic's examples (and keywords) per language as one document instead of one each. */
  groupExamples?: boolean;
}

/** A built matcher. */
export interface FaqMatcher {
  match(text: string): FaqMatch;
  readonly topicIds: string[];
  readonly thresholds: FaqThresholds;
}

interface Doc {
  id: number;
  topic: string;
  text: string;
  weight: number;
}

const LATIN_TERM = /^[a-z]+$/;

/** Builds the index over the topics. */
export function createFaqMatcher(topics: FaqTopic[], options: MatcherOptions = {}): FaqMatcher {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const answerWeight = options.answerWeight ?? 0.3;
  const secondShare = options.secondShare ?? 0.3;
  const rankAlpha = options.rankAlpha ?? 0.25;
  const leadWeight = options.leadWeight ?? 0.1;
  const unknownFactor = options.unknownFactor ?? 1.25;
  const answerCredit = options.answerCredit ?? 0.5;
  const minEvidence = options.minEvidence ?? 3.5;
  const groupExamples = options.groupExamples ?? true;

  const docs: Doc[] = [];
  const termTopics = new Map<string, Set<string>>();
  // Topics whose examples or keywords use a word (answers mention many words in passing).
  const coreTopics = new Map<string, Set<string>>();
  const add = (topic: string, text: string, weight: number) => {
    const tokens = matchTokens(text, Infinity);
    if (tokens.length === 0) return;
    docs.push({ id: docs.length, topic, text: tokens.join(" "), weight });
    for (const t of tokens) {
      let set = termTopics.get(t);
      if (!set) termTopics.set(t, (set = new Set()));
      set.add(topic);
      if (weight >= 1) {
        let core = coreTopics.get(t);
        if (!core) coreTopics.set(t, (core = new Set()));
        core.add(topic);
      }
    }
  };
  for (const topic of topics) {
    if (groupExamples) {
      // One document of questions and one of answers per topic, all three forms together:
      // few documents keep a search cheap, and the forms use different words anyway.
      add(topic.id, LANGS.flatMap((l) => [...topic.examples[l], ...topic.keywords[l]]).join(" \n "), 1);
      add(topic.id, LANGS.map((l) => topic.answer[l]).join(" \n "), answerWeight);
      continue;
    }
    for (const lang of LANGS) {
      for (const example of topic.examples[lang]) add(topic.id, example, 1);
      for (const keyword of topic.keywords[lang]) add(topic.id, keyword, 1);
      add(topic.id, topic.answer[lang], answerWeight);
    }
  }

  const index = new MiniSearch<Doc>({
    fields: ["text"],
    tokenize: (s) => s.split(" "),
    processTerm: (t) => t,
    searchOptions: { tokenize: (s) => s.split(" "), processTerm: (t) => t },
  });
  index.addAll(docs);

  // Spelling recovery for words the index does not know, decided once per word here instead
  // of MiniSearch's fuzzy search at query time (a radix-tree walk per word, the slow part):
  // 1. same consonant skeleton (Roman Urdu vowels vary: "rajistar" / "register"),
  // 2. one edit away (symmetric-delete lookup: typos, a letter missing or doubled).
  const df = (term: string) => termTopics.get(term)?.size ?? 0;
  const bySkeleton = new Map<string, string>();
  const byDelete = new Map<string, string[]>();
  const byStem = new Map<string, string>();
  for (const term of termTopics.keys()) {
    if (LATIN_TERM.test(term) && term.length >= 4) {
      const key = skeleton(term);
      const current = bySkeleton.get(key);
      if (!current || df(current) < df(term)) bySkeleton.set(key, term);
    }
    if (term.length >= 4) {
      for (const d of deletes(term)) {
        const list = byDelete.get(d);
        if (list) list.push(term);
        else byDelete.set(d, [term]);
      }
    }
    const stem = verbStem(term);
    if (stem !== term) {
      const current = byStem.get(stem);
      if (!current || df(current) < df(term)) byStem.set(stem, term);
    }
  }
  const corrections = new Map<string, string | null>();
  const correct = (term: string): string | null => {
    if (termTopics.has(term)) return term;
    let fixed = corrections.get(term);
    if (fixed !== undefined) return fixed;
    fixed = null;
    if (term.length >= 4) {
      const candidates = [term, ...deletes(term)].flatMap((d) => [...(byDelete.get(d) ?? []), ...(termTopics.has(d) ? [d] : [])]);
      // People rarely get the first letter wrong; "weather" is not a typo of "leather".
      const near = candidates.filter((c) => c[0] === term[0] && editDistanceAtMostOne(term, c));
      fixed = near.sort((a, b) => df(b) - df(a))[0] ?? null;
      if (!fixed && LATIN_TERM.test(term)) fixed = bySkeleton.get(skeleton(term)) ?? null;
      // 3. another form of the same verb: "bhejne"/"bhejna", "بھیجنے"/"بھیجنا".
      if (!fixed) {
        const stem = verbStem(term);
        fixed = stem !== term ? (byStem.get(stem) ?? (termTopics.has(stem) ? stem : null)) : null;
      }
    }
    if (corrections.size < 50_000) corrections.set(term, fixed);
    return fixed;
  };

  const topicCount = Math.max(1, topics.length);
  const idf = (n: number) => Math.log(1 + topicCount / n);
  // How telling a known word is: by the topics whose questions use it, else whose answers do.
  const weightOf = (term: string) => idf(coreTopics.get(term)?.size || df(term));
  const unknownWeight = idf(1) * unknownFactor;

  function match(text: string): FaqMatch {
    const raw = [...new Set(matchTokens(text))].slice(0, 30);
    if (raw.length === 0) return { topic: null, score: 0, decision: "none", ranked: [] };
    // Each query word: its weight (rarer across topics = more telling; unknown = as telling
    // as the rarest, since an unknown word often means the question is about something else)
    // and the indexed word it stands for (itself, a recovered spelling, or none).
    const known = new Map<string, number>(); // indexed term → share of credit (1 exact, 0.8 recovered)
    let total = 0;
    for (const t of raw) {
      const fixed = correct(t);
      total += fixed ? weightOf(fixed) : unknownWeight;
      if (fixed && (known.get(fixed) ?? 0) < (fixed === t ? 1 : 0.8)) known.set(fixed, fixed === t ? 1 : 0.8);
    }
    if (known.size === 0) return { topic: null, score: 0, decision: "none", ranked: [] };
    const terms = [...known.keys()];
    const results = index.search(terms.join(" "), {
      combineWith: "OR",
      boostTerm: (term) => known.get(term) ?? 1,
      boostDocument: (id) => docs[id as number]?.weight ?? 1,
    });

    // Per topic: best and second-best document scores, and which query terms it explains.
    const perTopic = new Map<string, { best: number; second: number; terms: Map<string, number> }>();
    for (const r of results) {
      const topic = docs[r.id as number]!.topic;
      let entry = perTopic.get(topic);
      if (!entry) perTopic.set(topic, (entry = { best: 0, second: 0, terms: new Map() }));
      if (r.score > entry.best) [entry.best, entry.second] = [r.score, entry.best];
      else if (r.score > entry.second) entry.second = r.score;
      // Words only the answer shares count for less: answers are long and say many things.
      const credit = docs[r.id as number]!.weight < 1 ? answerCredit : 1;
      for (const q of r.queryTerms) entry.terms.set(q, Math.max(entry.terms.get(q) ?? 0, credit));
    }
    if (perTopic.size === 0) return { topic: null, score: 0, decision: "none", ranked: [] };

    let rawMax = 0;
    for (const e of perTopic.values()) rawMax = Math.max(rawMax, e.best + secondShare * e.second);
    const scored = [...perTopic.entries()]
      .map(([topic, e]) => {
        let covered = 0;
        for (const [t, credit] of e.terms) covered += weightOf(t) * (known.get(t) ?? 1) * credit;
        // Evidence: a single common word ("account") explains a question fully but says little.
        const coverage = Math.min(1, covered / total) * (minEvidence > 0 ? Math.min(1, covered / minEvidence) : 1);
        const raw = e.best + secondShare * e.second;
        return { topic, coverage, key: coverage + rankAlpha * (raw / rawMax) };
      })
      .sort((a, b) => b.key - a.key);

    const top = scored[0]!;
    // Lead in coverage over the best other topic: a question that several topics explain
    // equally well ("partner?") is a "did you mean", not an answer.
    const runnerUp = scored.slice(1).reduce((m, s) => Math.max(m, s.coverage), 0);
    const lead = top.coverage > 0 ? Math.max(0, top.coverage - runnerUp) / top.coverage : 0;
    const confidence = (s: (typeof scored)[number]) => round(s.coverage * (1 - leadWeight + leadWeight * (s === top ? lead : 0)));
    const ranked = scored.slice(0, 5).map((s) => ({ topic: s.topic, score: confidence(s) }));
    const score = ranked[0]!.score;
    const decision: FaqDecision = score >= thresholds.confident ? "confident" : score >= thresholds.unsure ? "unsure" : "none";
    return { topic: decision === "confident" ? top.topic : null, score, decision, ranked };
  }

  return { match, topicIds: topics.map((t) => t.id), thresholds };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

// Urdu verb and adjective endings in Roman and in Urdu script (after normalisation:
// ے → ی, ں → ن). Longest first.
const ROMAN_ENDINGS = ["enge", "ungi", "unga", "ogi", "oge", "ega", "egi", "ein", "en", "un", "na", "ne", "ni", "ta", "te", "ti", "o"];
const URDU_ENDINGS = ["یین", "نا", "نی", "تا", "تی", "ین", "ون", "و"];

/** A word without its Urdu verb ending, when at least three letters remain. */
function verbStem(word: string): string {
  const endings = LATIN_TERM.test(word) ? ROMAN_ENDINGS : URDU_ENDINGS;
  for (const e of endings) if (word.endsWith(e) && word.length - e.length >= 3) return word.slice(0, -e.length);
  return word;
}

/** The word with one letter removed, for each position. */
function deletes(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** True when a and b differ by at most one insertion, deletion, substitution or swap. */
function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
