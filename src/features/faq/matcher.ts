/**
 * Ranked retrieval over the knowledge base plus a calibrated confidence that says whether to
 * answer, ask "did you mean", or admit that nothing fits (docs/faq.md,
 * docs/decisions/0102-faq-generalising-matcher.md, 0103-faq-classifier-stems-index-cache.md).
 *
 * The index (search-index.ts) holds each topic's terms (terms.ts) from its example questions
 * and keywords in all three forms and from its answers, every example on its own, the
 * out-of-scope questions as one more topic that is never answered, and a topic classifier
 * (classifier.ts). A question word counts for a topic through its own term, its lexicon
 * concept, a recovered spelling, its sound key (the Urdu-script and Roman spellings of a word
 * meet there) or its stem (every form of a word meets there). Topics are ranked by coverage
 * (the IDF-weighted share of the question's words they explain) plus BM25 plus the
 * classifier's probability. The confidence is a logistic regression over 20 features of that
 * ranking (calibration.ts), learned by k-fold over the knowledge base (train.ts); without a
 * calibration it is the coverage itself.
 */
import { withinOneEdit } from "../../core/text.ts";
import { applyCalibration, type Calibration } from "./calibration.ts";
import { createTopicClassifier, type ClassifierOptions, type TrainingCache } from "./classifier.ts";
import type { FaqTopic } from "./content.ts";
import { conceptTerm, createConceptFinder, type Concept, type ConceptFinder } from "./lexicon.ts";
import { isStopKey, skeleton } from "./normalize.ts";
import { buildSearchIndex, idf, type SearchIndex } from "./search-index.ts";
import { createAnalyzer, MIN_SOUND_STRENGTH, type Analyzer, type Term } from "./terms.ts";

/** What the matcher concluded about one question. */
export type FaqDecision = "confident" | "unsure" | "none";

/** The outcome of matching one question. */
export interface FaqMatch {
  /** The answered topic when confident, else null. */
  topic: string | null;
  /** Confidence in the best topic, 0..1 (3 decimals): the estimated chance it is right. */
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

/** Thresholds for an uncalibrated matcher (raw coverage), as chosen before calibration. */
export const RAW_THRESHOLDS: FaqThresholds = { confident: 0.4, unsure: 0.22 };

/** Tuning knobs of the ranking (defaults are the documented ones; eval may try others). */
export interface RankingOptions {
  /** Weight of a topic's answer text relative to its examples (BM25). */
  answerWeight?: number;
  /** Weight of the (max-normalised) BM25 score next to coverage when ranking topics. */
  rankAlpha?: number;
  /** Weight of a word the knowledge base does not know, relative to the rarest known word. */
  unknownFactor?: number;
  /** Coverage credit for a question word found only in the topic's answer. */
  answerCredit?: number;
  /** Matched word weight (sum of IDFs) below which the raw confidence is scaled down. */
  minEvidence?: number;
  /** Credit of a recovered spelling ("verfication" → verification). */
  recoveredCredit?: number;
  /** Credit of a word matched only by its sound key (Urdu script ↔ Roman). */
  soundCredit?: number;
  /** Credit of a word matched only through its lexicon concept (a synonym or translation). */
  conceptCredit?: number;
  /** Credit of a word matched only through its stem (another form of the word, either script). */
  stemCredit?: number;
  /** Weight of the classifier's probability (classifier.ts) in the ranking key. */
  classifierWeight?: number;
  /** Settings of the classifier. */
  classifier?: ClassifierOptions;
}

/** Everything a matcher is built from besides the topics. */
export interface MatcherOptions extends RankingOptions {
  /** Concept groups (content/lexicon/concepts.json). */
  lexicon?: readonly Concept[];
  /**
   * Out-of-scope example questions (content/faq-negatives): indexed as one more, never
   * answered, topic whose coverage tells the calibration how much the question is about
   * something else.
   */
  negatives?: readonly string[];
  /** The confidence model; undefined or null: raw coverage with {@link RAW_THRESHOLDS}. */
  calibration?: Calibration | null;
  /** Overrides the calibration's (or the raw) thresholds. */
  thresholds?: FaqThresholds;
  /** The index, already built from the same content and options (search-index.ts). */
  index?: SearchIndex;
  /** Where the index build keeps trained classifiers between starts (index-cache.ts). */
  trainingCache?: TrainingCache;
}

/** A ranked topic with the features the confidence is computed from. */
export interface Candidate {
  topic: string;
  /** IDF-weighted share of the question's words the topic explains, 0..1. */
  coverage: number;
  /** Confidence before calibration (coverage scaled by evidence and lead). */
  raw: number;
  /** The ranking key (coverage scaled by evidence, plus BM25 relative to the best). */
  key: number;
  /** The calibration's inputs (calibration.ts FEATURES, in order). */
  features: number[];
}

/** A built matcher. */
export interface FaqMatcher {
  match(text: string): FaqMatch;
  /** The ranking behind {@link match}, with features (for calibration, eval and debugging). */
  rank(text: string): Candidate[];
  readonly topicIds: string[];
  readonly thresholds: FaqThresholds;
}

const LATIN_TERM = /^[a-z]+$/;

/** How a question word reached a topic: its own term, its concept, or a fuzzy match. */
type Kind = 0 | 1 | 2;
const EXACT: Kind = 0;
const CONCEPT: Kind = 1;
const FUZZY: Kind = 2;
const EMPTY: FaqMatch = { topic: null, score: 0, decision: "none", ranked: [] };
const K1 = 1.2;
const B = 0.75;

/**
 * Builds the index a matcher over these topics and options uses (index-cache.ts keeps it in a
 * file between starts).
 */
export function buildMatcherIndex(topics: readonly FaqTopic[], options: MatcherOptions = {}): SearchIndex {
  const { finder, analyze } = analysisOf(options.lexicon);
  return buildIndexWith(topics, options, finder, analyze);
}

const NO_LEXICON: readonly Concept[] = [];
const analyses = new WeakMap<readonly Concept[], { finder: ConceptFinder; analyze: Analyzer }>();

/**
 * The concept finder and analyzer of a lexicon, made once per lexicon (array): the index build
 * and the matcher over it share them, so a start without the index cache compiles the lexicon
 * once, and the first questions meet the knowledge base's words already analysed. Both are
 * pure (the analyzer only caches immutable terms), so sharing changes no answer.
 */
function analysisOf(lexicon: readonly Concept[] = NO_LEXICON): { finder: ConceptFinder; analyze: Analyzer } {
  let a = analyses.get(lexicon);
  if (a === undefined) {
    const finder = createConceptFinder(lexicon);
    analyses.set(lexicon, (a = { finder, analyze: createAnalyzer(finder) }));
  }
  return a;
}

function buildIndexWith(topics: readonly FaqTopic[], options: MatcherOptions, finder: ConceptFinder, analyze: Analyzer): SearchIndex {
  return buildSearchIndex(topics, { analyze, negatives: options.negatives ?? [], lexiconWords: finder.words.keys(), classifier: options.classifier, trainingCache: options.trainingCache });
}

/**
 * Builds the matcher over the topics. `options.index` is an index already built from the same
 * topics, lexicon, out-of-scope questions and options (index-cache.ts reads one from a file);
 * without it the index is built here.
 */
export function createFaqMatcher(topics: readonly FaqTopic[], options: MatcherOptions = {}): FaqMatcher {
  const answerWeight = options.answerWeight ?? 0.3;
  const rankAlpha = options.rankAlpha ?? 1;
  const unknownFactor = options.unknownFactor ?? 1.25;
  const answerCredit = options.answerCredit ?? 0.5;
  const minEvidence = options.minEvidence ?? 3.5;
  const recoveredCredit = options.recoveredCredit ?? 0.8;
  const soundCredit = options.soundCredit ?? 0.8;
  const conceptCredit = options.conceptCredit ?? 0.9;
  const stemCredit = options.stemCredit ?? 0.7;
  const classifierWeight = options.classifierWeight ?? 0.5;
  const calibration = options.calibration ?? null;
  const thresholds = options.thresholds ?? calibration?.thresholds ?? RAW_THRESHOLDS;

  const { finder, analyze } = analysisOf(options.lexicon);
  const index = options.index ?? buildIndexWith(topics, options, finder, analyze);
  if (index.topicIds.join(",") !== topics.map((t) => t.id).join(",")) throw new Error("FAQ index built for other topics");
  const { slots, oosSlot, postings, postingStart, dfCore, df, exampleSlot, exampleWeight, exampleStart, exampleIds } = index;

  const termId = new Map<string, number>();
  index.terms.forEach((t, i) => termId.set(t, i));
  const idOf = (term: string | null) => (term === null ? undefined : termId.get(term));
  const classifier = index.classifier ? createTopicClassifier(index.classifier) : null;
  const classProb = new Float64Array(slots);

  const avgCore = index.coreLen.reduce((a, b) => a + b, 0) / Math.max(1, slots);
  const avgAnswer = index.answerLen.reduce((a, b) => a + b, 0) / Math.max(1, slots);
  const coreNorm = Float64Array.from(index.coreLen, (l) => K1 * (1 - B + (B * l) / Math.max(1, avgCore)));
  const answerNorm = Float64Array.from(index.answerLen, (l) => K1 * (1 - B + (B * l) / Math.max(1, avgAnswer)));

  const conceptOf = (word: string) => {
    const id = finder.words.get(word);
    return id === undefined ? null : conceptTerm(id);
  };
  // Spelling recovery is only needed for words the index does not know: built on first use.
  let recovery: SpellingRecovery | undefined;
  const recover = () =>
    (recovery ??= createSpellingRecovery(new Set(index.surface), (w) => {
      const id = idOf(w) ?? idOf(conceptOf(w));
      return id === undefined ? 0 : df[id]!;
    }));
  const correct = (word: string) => recover().correct(word);
  const joined = (word: string) => (LATIN_TERM.test(word) && word.length >= 7 && correct(word).length === 0 ? recover().split(word) : NO_PARTS);

  // How telling a known term is: by the topics whose questions use it, else whose answers do.
  const weightOf = (id: number) => idf(slots, dfCore[id] || df[id]!);
  const bm25Idf = (id: number) => Math.log(1 + (slots - df[id]! + 0.5) / (df[id]! + 0.5));
  const unknownWeight = idf(slots, 1) * unknownFactor;

  // Scratch space reused by every match (one match runs at a time: JavaScript is single-threaded).
  const covered = new Float64Array(slots);
  const byConcept = new Float64Array(slots); // coverage through lexicon concepts
  const fuzzy = new Float64Array(slots); // coverage through recovered spellings and sound keys
  const answerOnly = new Float64Array(slots);
  const bm = new Float64Array(slots);
  const tokBest = new Float64Array(slots);
  const tokBm = new Float64Array(slots);
  const tokAnswer = new Uint8Array(slots);
  const tokKind = new Uint8Array(slots);
  const tokMark = new Uint8Array(slots);
  const touched: number[] = [];
  const tokTouched: number[] = [];
  const overlap = new Float64Array(exampleSlot.length);
  const exTok = new Float64Array(exampleSlot.length);
  const exTouched: number[] = [];
  const exTokTouched: number[] = [];
  const bestExample = new Float64Array(slots);
  const recovered: Term[] = [];

  function rank(text: string): Candidate[] {
    const seen = new Set<string>();
    const terms: Term[] = [];
    const keep = (t: Term) => {
      if (seen.has(t.term) || terms.length >= 30) return;
      seen.add(t.term);
      terms.push(t);
    };
    for (const t of analyze(text)) {
      // Two known words typed as one ("productupload") are read as the two words.
      const parts = !t.phrase && idOf(t.term) === undefined ? joined(t.term) : NO_PARTS;
      if (parts.length > 0) for (const part of analyze(parts.join(" "))) keep(part);
      else keep(t);
    }
    if (terms.length === 0) return [];
    for (const s of touched) covered[s] = byConcept[s] = fuzzy[s] = answerOnly[s] = bm[s] = bestExample[s] = 0;
    touched.length = 0;
    for (const e of exTouched) overlap[e] = 0;
    exTouched.length = 0;
    let total = 0;
    let unknown = 0;
    recovered.length = 0;
    for (const t of terms) {
      // The term's alternatives: itself, its concept, a recovered spelling, its sound key.
      // A word's weight is its own IDF when the knowledge base knows it; an alternative
      // counts at most as much as it is telling itself (a concept or sound key many topics
      // share says little about any of them).
      let weight = 0;
      const alts: Array<[number, number, Kind]> = [];
      const own = idOf(t.term);
      const add = (id: number | undefined, credit: number, kind: Kind) => {
        if (id === undefined) return;
        if (weight === 0) weight = weightOf(id);
        alts.push([id, credit, kind]);
      };
      add(own, 1, EXACT);
      let concept = t.concept;
      if (own === undefined && !t.phrase) {
        for (const fixed of correct(t.term)) {
          add(idOf(fixed), recoveredCredit, FUZZY);
          concept ??= conceptOf(fixed);
          // The classifier reads the word that was meant, too.
          for (const meant of analyze(fixed)) recovered.push(meant);
        }
      }
      if (concept) add(idOf(concept), conceptCredit, CONCEPT);
      if (t.sound) {
        // Across scripts from three consonants on, within a script from four.
        add(idOf(t.sound.other), soundCredit, FUZZY);
        if (t.sound.strength >= MIN_SOUND_STRENGTH.sameScript) add(idOf(t.sound.own), soundCredit, FUZZY);
      }
      add(idOf(t.stem), stemCredit, FUZZY);
      if (weight === 0) {
        weight = unknownWeight;
        unknown += weight;
      }
      total += weight;
      for (const [p, altCredit, kind] of alts) {
        const credit = kind === EXACT ? 1 : altCredit * Math.min(1, weightOf(p) / weight);
        const idfB = bm25Idf(p);
        for (let i = postingStart[p]!, end = postingStart[p + 1]!; i < end; i += 3) {
          const s = postings[i]!;
          const core = postings[i + 1]!;
          const c = core > 0 ? credit : credit * answerCredit;
          if (!tokMark[s]) {
            tokMark[s] = 1;
            tokTouched.push(s);
          }
          if (c > tokBest[s]!) {
            tokBest[s] = c;
            tokAnswer[s] = core > 0 ? 0 : 1;
            tokKind[s] = kind;
          }
          const a = postings[i + 2]!;
          const score = credit * idfB * ((core * (K1 + 1)) / (core + coreNorm[s]!) + (answerWeight * (a * (K1 + 1))) / (a + answerNorm[s]!));
          if (score > tokBm[s]!) tokBm[s] = score;
        }
      }
      for (const [p, altCredit, kind] of alts) {
        const credit = kind === EXACT ? 1 : altCredit * Math.min(1, weightOf(p) / weight);
        for (let i = exampleStart[p]!, end = exampleStart[p + 1]!; i < end; i++) {
          const e = exampleIds[i]!;
          if (exTok[e] === 0) exTokTouched.push(e);
          if (credit > exTok[e]!) exTok[e] = credit;
        }
      }
      for (const e of exTokTouched) {
        if (overlap[e] === 0) exTouched.push(e);
        overlap[e] = overlap[e]! + weight * exTok[e]!;
        exTok[e] = 0;
      }
      exTokTouched.length = 0;
      for (const s of tokTouched) {
        if (covered[s] === 0 && bm[s] === 0) touched.push(s);
        const gain = weight * tokBest[s]!;
        covered[s] = covered[s]! + gain;
        bm[s] = bm[s]! + tokBm[s]!;
        if (tokKind[s] === CONCEPT) byConcept[s] = byConcept[s]! + gain;
        if (tokKind[s] === FUZZY) fuzzy[s] = fuzzy[s]! + gain;
        if (tokAnswer[s]) answerOnly[s] = answerOnly[s]! + gain;
        tokBest[s] = tokBm[s] = tokAnswer[s] = tokKind[s] = tokMark[s] = 0;
      }
      tokTouched.length = 0;
    }
    if (touched.length === 0) return [];

    // Nearest example per topic: weighted Dice overlap of the question and one example.
    for (const e of exTouched) {
      const dice = (2 * overlap[e]!) / (total + exampleWeight[e]!);
      const slot = exampleSlot[e]!;
      if (dice > bestExample[slot]!) bestExample[slot] = dice;
    }
    let bmMax = 0;
    for (const s of touched) if (s !== oosSlot && bm[s]! > bmMax) bmMax = bm[s]!;
    if (classifier) classifier.predict(recovered.length > 0 ? [...terms, ...recovered] : terms, classProb);
    const oosCoverage = oosSlot >= 0 ? Math.min(1, covered[oosSlot]! / total) : 0;
    const list = touched
      .filter((s) => s !== oosSlot)
      .map((s) => {
        const coverage = Math.min(1, covered[s]! / total);
        const evidence = minEvidence > 0 ? Math.min(1, covered[s]! / minEvidence) : 1;
        const key = coverage * evidence + rankAlpha * (bmMax > 0 ? bm[s]! / bmMax : 0) + classifierWeight * classProb[s]!;
        return { s, coverage, scaled: coverage * evidence, key };
      })
      .sort((a, b) => b.key - a.key)
      .slice(0, 5);
    if (list.length === 0) return [];
    return list.map((c, i) => {
      // The best other topic: for the top one the runner-up, for the others the top.
      let runner = 0;
      let otherKey = 0;
      let otherBm = 0;
      let otherExample = 0;
      let otherProb = 0;
      for (const other of list) {
        if (other === c) continue;
        otherExample = Math.max(otherExample, bestExample[other.s]!);
        otherProb = Math.max(otherProb, classProb[other.s]!);
        runner = Math.max(runner, other.coverage);
        otherKey = Math.max(otherKey, other.key);
        otherBm = Math.max(otherBm, bm[other.s]!);
      }
      const lead = c.coverage > 0 ? Math.max(0, c.coverage - runner) / c.coverage : 0;
      const raw = c.scaled * (0.9 + 0.1 * (i === 0 ? lead : 0));
      const cov = covered[c.s]!;
      const fuzzyShare = cov > 0 ? fuzzy[c.s]! / cov : 0;
      const features = [
        c.coverage,
        c.scaled,
        runner,
        lead,
        Math.log1p(cov),
        unknown / total,
        Math.log1p(terms.length),
        bmMax > 0 ? (bm[c.s]! - otherBm) / bmMax : 0,
        c.key - otherKey,
        oosCoverage,
        cov > 0 ? byConcept[c.s]! / cov : 0,
        fuzzyShare,
        cov > 0 ? answerOnly[c.s]! / cov : 0,
        c.coverage * fuzzyShare,
        bestExample[c.s]!,
        bestExample[c.s]! - otherExample,
        oosSlot >= 0 ? bestExample[oosSlot]! : 0,
        classProb[c.s]!,
        classProb[c.s]! - otherProb,
        oosSlot >= 0 ? classProb[oosSlot]! : 0,
      ];
      return { topic: index.topicIds[c.s]!, coverage: round(c.coverage), raw: round(raw), key: c.key, features };
    });
  }

  function match(text: string): FaqMatch {
    const candidates = rank(text);
    if (candidates.length === 0) return EMPTY;
    // A lower-ranked topic never shows more confidence than the one above it.
    let cap = 1;
    const ranked = candidates.map((c) => {
      cap = Math.min(cap, round(calibration ? applyCalibration(calibration, c.features) : c.raw));
      return { topic: c.topic, score: cap };
    });
    const score = ranked[0]!.score;
    const decision = decide(score, isAmbiguous(candidates), thresholds);
    return { topic: decision === "confident" ? ranked[0]!.topic : null, score, decision, ranked };
  }

  return { match, rank, topicIds: index.topicIds, thresholds };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Coverage from which two topics that both explain a question make it ambiguous. */
const AMBIGUOUS_COVERAGE = 0.9;

/**
 * Confidence an ambiguous question needs before it is answered: more likely right than not.
 */
export const AMBIGUOUS_CONFIDENT = 0.5;

/**
 * True when the top two topics both explain (nearly) every word of the question ("account",
 * "partner"): the question is ambiguous, not out of scope.
 */
export function isAmbiguous(candidates: readonly Pick<Candidate, "coverage">[]): boolean {
  return candidates.length > 1 && candidates[0]!.coverage >= AMBIGUOUS_COVERAGE && candidates[1]!.coverage >= AMBIGUOUS_COVERAGE;
}

/**
 * The decision for a confidence: answer at `confident` or above; an ambiguous question only
 * when it is also more likely right than not ({@link AMBIGUOUS_CONFIDENT}), otherwise it is
 * offered as "did you mean" whatever its confidence; "did you mean" from `unsure`; else none.
 */
export function decide(score: number, ambiguous: boolean, thresholds: FaqThresholds): FaqDecision {
  if (score >= thresholds.confident && (!ambiguous || score >= AMBIGUOUS_CONFIDENT)) return "confident";
  return score >= thresholds.unsure || ambiguous ? "unsure" : "none";
}

/**
 * Spelling recovery for plain words the index does not know, decided once per word (cached)
 * instead of a fuzzy search at query time: a known word with the same first letter one edit
 * away (compared with the known words of that first letter and a similar length), else one
 * with the same consonant skeleton (Roman Urdu
 * vowels vary), else another form of the same verb. `surface` holds the word keys the index
 * and the lexicon know.
 */
/** Spelling recovery of words the index does not know. */
interface SpellingRecovery {
  /** The known word meant by a misspelt one ([] when none). */
  correct(word: string): readonly string[];
  /** The known words of two words typed as one ([] when it is not that). */
  split(word: string): readonly string[];
}

const NO_PARTS: readonly string[] = [];

function createSpellingRecovery(surface: ReadonlySet<string>, df: (word: string) => number): SpellingRecovery {
  const bySkeleton = new Map<string, string>();
  // Words by first letter and length, for the one-edit search (a few hundred per bucket).
  const byStart = new Map<string, string[]>();
  const byStem = new Map<string, string>();
  const better = (a: string | undefined, b: string) => !a || df(a) < df(b);
  for (const word of surface) {
    if (word.length >= 3) {
      const bucket = `${word[0]}${word.length}`;
      const list = byStart.get(bucket);
      if (list) list.push(word);
      else byStart.set(bucket, [word]);
    }
    if (LATIN_TERM.test(word) && word.length >= 4) {
      const key = skeleton(word);
      if (better(bySkeleton.get(key), word)) bySkeleton.set(key, word);
    }
    const stem = verbStem(word);
    if (stem !== word && better(byStem.get(stem), word)) byStem.set(stem, word);
  }
  const cache = new Map<string, readonly string[]>();
  const correct = (word: string): readonly string[] => {
    if (surface.has(word)) return [word];
    const cached = cache.get(word);
    if (cached !== undefined) return cached;
    let fixed: string | null = null;
    // Urdu script leaves short vowels out, so its words are shorter: one edit in four letters
    // is another word (چھٹی "holiday" / چھوٹی "small").
    if (word.length >= (LATIN_TERM.test(word) ? 4 : 5)) {
      // People rarely get the first letter wrong; "weather" is not a typo of "leather".
      let bestDf = -1;
      for (const length of [word.length - 1, word.length, word.length + 1]) {
        for (const candidate of byStart.get(`${word[0]}${length}`) ?? []) {
          if (!withinOneEdit(word, candidate)) continue;
          const d = df(candidate);
          if (d > bestDf) [fixed, bestDf] = [candidate, d];
        }
      }
      if (!fixed && LATIN_TERM.test(word)) fixed = bySkeleton.get(skeleton(word)) ?? null;
      if (!fixed) {
        const stem = verbStem(word);
        fixed = stem !== word ? (byStem.get(stem) ?? (surface.has(stem) ? stem : null)) : null;
      }
    }
    const found = fixed ? [fixed] : NO_PARTS;
    if (cache.size < 50_000) cache.set(word, found);
    return found;
  };
  const splits = new Map<string, readonly string[]>();
  const split = (word: string): readonly string[] => {
    let parts = splits.get(word);
    if (parts === undefined) {
      parts = splitJoined(word);
      if (splits.size < 50_000) splits.set(word, parts);
    }
    return parts;
  };
  return { correct, split };

  /**
   * Two known words typed as one ("tradeassurance", "bhejdo"): the known parts, a function
   * word ("do", "kar") left out. Both parts must be known (or one a function word).
   */
  function splitJoined(word: string): readonly string[] {
    for (let i = 3; i <= word.length - 2; i++) {
      const a = word.slice(0, i);
      const b = word.slice(i);
      const knownA = surface.has(a);
      const knownB = surface.has(b);
      if (knownA && knownB) return [a, b];
      if (knownA && a.length >= 4 && isStopKey(b)) return [a];
      if (knownB && b.length >= 4 && i <= 4 && isStopKey(a)) return [b];
    }
    return NO_PARTS;
  }
}

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
