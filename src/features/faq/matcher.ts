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
export const DEFAULT_THRESHOLDS: FaqThresholds = { confident: 0.5, unsure: 0.3 };

/** Tuning knobs (defaults are the documented ones; eval may sweep them). */
export interface MatcherOptions {
  thresholds?: FaqThresholds;
  /** Weight of a topic's answer text relative to its examples. */
  answerWeight?: number;
  /** Share of the second-best document added to a topic's score. */
  secondShare?: number;
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

  const docs: Doc[] = [];
  const termTopics = new Map<string, Set<string>>();
  const add = (topic: string, text: string, weight: number) => {
    const tokens = matchTokens(text);
    if (tokens.length === 0) return;
    docs.push({ id: docs.length, topic, text: tokens.join(" "), weight });
    for (const t of tokens) {
      let set = termTopics.get(t);
      if (!set) termTopics.set(t, (set = new Set()));
      set.add(topic);
    }
  };
  for (const topic of topics) {
    for (const lang of LANGS) {
      for (const example of topic.examples[lang]) add(topic.id, example, 1);
      for (const keyword of topic.keywords[lang]) add(topic.id, keyword, 1);
      add(topic.id, topic.answer[lang], answerWeight);
    }
  }

  const index = new MiniSearch<Doc>({
    fields: ["text"],
    storeFields: ["topic", "weight"],
    tokenize: (s) => s.split(" "),
    processTerm: (t) => t,
    searchOptions: { tokenize: (s) => s.split(" "), processTerm: (t) => t },
  });
  index.addAll(docs);

  // Skeleton → the most widespread indexed Latin term with it: "rjstrsn" recovers "rajistration".
  const bySkeleton = new Map<string, string>();
  for (const [term, set] of termTopics) {
    if (!LATIN_TERM.test(term) || term.length < 4) continue;
    const key = skeleton(term);
    const current = bySkeleton.get(key);
    if (!current || (termTopics.get(current)?.size ?? 0) < set.size) bySkeleton.set(key, term);
  }

  const topicCount = Math.max(1, topics.length);
  const idf = (df: number) => Math.log(1 + topicCount / df);
  const unknownWeight = idf(1);

  function match(text: string): FaqMatch {
    const raw = [...new Set(matchTokens(text))].slice(0, 30);
    const terms = raw.map((t) => (termTopics.has(t) || !LATIN_TERM.test(t) ? t : (bySkeleton.get(skeleton(t)) ?? t)));
    if (terms.length === 0) return { topic: null, score: 0, decision: "none", ranked: [] };

    const results = index.search(terms.join(" "), {
      combineWith: "OR",
      // Exact terms need no fuzzy expansion (and it is the expensive part of a search).
      fuzzy: (term) => (termTopics.has(term) || term.length < 4 ? false : 0.25),
      maxFuzzy: 2,
      weights: { fuzzy: 0.6, prefix: 0.3 },
      boostDocument: (_id, _term, stored) => Number(stored?.weight ?? 1),
    });

    // Per topic: best and second-best document scores, and which query terms it explains.
    const perTopic = new Map<string, { best: number; second: number; terms: Set<string> }>();
    for (const r of results) {
      const topic = String(r.topic);
      let entry = perTopic.get(topic);
      if (!entry) perTopic.set(topic, (entry = { best: 0, second: 0, terms: new Set() }));
      if (r.score > entry.best) [entry.best, entry.second] = [r.score, entry.best];
      else if (r.score > entry.second) entry.second = r.score;
      for (const q of r.queryTerms) entry.terms.add(q);
    }
    if (perTopic.size === 0) return { topic: null, score: 0, decision: "none", ranked: [] };

    const weightOf = (term: string) => {
      const df = termTopics.get(term)?.size;
      return df ? idf(df) : unknownWeight;
    };
    const total = terms.reduce((sum, t) => sum + weightOf(t), 0);
    const scored = [...perTopic.entries()]
      .map(([topic, e]) => {
        const covered = [...e.terms].reduce((sum, t) => sum + (termTopics.has(t) ? weightOf(t) : unknownWeight * 0.7), 0);
        return { topic, raw: e.best + secondShare * e.second, coverage: Math.min(1, covered / total) };
      })
      .sort((a, b) => b.raw - a.raw);

    const top = scored[0]!;
    const runnerUp = scored[1]?.raw ?? 0;
    const lead = top.raw > 0 ? (top.raw - runnerUp) / top.raw : 0;
    const confidence = (s: (typeof scored)[number]) => round(s.coverage * (0.6 + 0.4 * (s === top ? lead : 0)));
    const ranked = scored.slice(0, 5).map((s) => ({ topic: s.topic, score: confidence(s) }));
    const score = ranked[0]!.score;
    const decision: FaqDecision = score >= thresholds.confident ? "confident" : score >= thresholds.unsure ? "unsure" : "none";
    return { topic: decision === "confident" ? top.topic : null, score, decision, ranked };
  }

  return { match, topicIds: topics.map((t) => t.id), thresholds };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
