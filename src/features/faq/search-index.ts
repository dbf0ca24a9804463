/**
 * What the FAQ matcher computes from the content before it can answer: per topic the terms of
 * its example questions and keywords (all three forms) and of its answers, every example
 * question on its own, the out-of-scope questions as one more slot, and the topic classifier
 * (classifier.ts). Built once from the content ({@link buildSearchIndex}) and kept as plain
 * data (strings and typed arrays) so that it can be written to a file and read back unchanged
 * (index-cache.ts): a start-up with unchanged content reads the index instead of building it.
 */
import { LANGS } from "../../core/types.ts";
import { trainTopicClassifier, type ClassifierOptions, type ClassifierState, type TrainingCache } from "./classifier.ts";
import type { FaqTopic } from "./content.ts";
import type { Analyzer, Term } from "./terms.ts";

/** Version of the {@link SearchIndex} layout (a cache of another layout is rebuilt). */
export const SEARCH_INDEX_FORMAT = 1;

/** The index as data. Term ids index `terms`; a term's postings are triples. */
export interface SearchIndex {
  format: number;
  topicIds: string[];
  /** Topic slots 0..n-1, then the out-of-scope slot when there are out-of-scope questions. */
  slots: number;
  /** The out-of-scope slot, or -1. */
  oosSlot: number;
  /** Every index term: word keys, `@concept`, `~u:`/`~l:` sound keys, `^` stems. */
  terms: string[];
  /** Postings of term t: `postings[postingStart[t] .. postingStart[t+1])`, triples (slot, count in questions, count in answers). */
  postingStart: Int32Array;
  postings: Int32Array;
  /** Slots whose questions/keywords use the term; slots that use it at all. */
  dfCore: Int32Array;
  df: Int32Array;
  /** Terms per slot in questions and keywords, and in answers (BM25 lengths). */
  coreLen: Float64Array;
  answerLen: Float64Array;
  /** Word keys the index knows (for spelling recovery). */
  surface: string[];
  /** Slot of each example question (topics' and out-of-scope ones). */
  exampleSlot: Int32Array;
  /** Sum of the IDF weights of each example's own terms (nearest-example similarity). */
  exampleWeight: Float64Array;
  /** Examples that use term t: `exampleIds[exampleStart[t] .. exampleStart[t+1])`. */
  exampleStart: Int32Array;
  exampleIds: Int32Array;
  classifier: ClassifierState | null;
}

/** What a search index is built from besides the topics. */
export interface SearchIndexInput {
  analyze: Analyzer;
  /** Out-of-scope questions (content/faq-negatives). */
  negatives: readonly string[];
  /** One-word lexicon members (known words for spelling recovery). */
  lexiconWords: Iterable<string>;
  classifier?: ClassifierOptions;
  /** Trained classifiers kept between starts (index-cache.ts); none: always trained. */
  trainingCache?: TrainingCache;
}

/** The IDF of a document frequency over `slots` slots. */
export const idf = (slots: number, df: number) => Math.log(1 + slots / Math.max(1, df));

// Marks in a term's ids: it has no such alternative; not looked up yet.
const NONE = -1;
const UNSET = -2;

/** Builds the index from the content. */
export function buildSearchIndex(topics: readonly FaqTopic[], input: SearchIndexInput): SearchIndex {
  const { negatives } = input;
  // A text met twice (the same question under two topics, or as an example and a keyword
  // line) is analysed once: the analyzer is pure and its terms are never changed.
  const analysed = new Map<string, Term[]>();
  const analyze = (text: string): Term[] => {
    let terms = analysed.get(text);
    if (terms === undefined) analysed.set(text, (terms = input.analyze(text, Infinity)));
    return terms;
  };
  const n = topics.length;
  const slots = negatives.length > 0 ? n + 1 : n;
  const oosSlot = negatives.length > 0 ? n : -1;

  // Every occurrence is appended to flat buffers (term, slot, field) and (term, example);
  // they are grouped by term at the end. No per-term arrays: the build allocates little.
  const ids = new Map<string, number>();
  const idOf = (term: string) => {
    let id = ids.get(term);
    if (id === undefined) ids.set(term, (id = ids.size));
    return id;
  };
  const occurrences = new Buffer3();
  const examplePairs = new Buffer3();
  const coreLen = new Float64Array(slots);
  const answerLen = new Float64Array(slots);
  const surface = new Set<string>();
  // The index ids of a term's key, concept, sound key and stem, worked out once per term
  // (the analyzer gives one Term per word key, met ~7 times each) in the order the ids are
  // handed out: key and concept when first met, sound and stem when first met in a question.
  const termIds = new Map<Term, number[]>();
  const idsOf = (t: Term, field: 0 | 1): number[] => {
    let r = termIds.get(t);
    if (r === undefined) {
      r = [idOf(t.term), t.concept ? idOf(t.concept) : NONE, UNSET, UNSET];
      termIds.set(t, r);
      if (!t.phrase) surface.add(t.term);
    }
    if (field === 0 && r[2] === UNSET) {
      r[2] = t.sound ? idOf(t.sound.own) : NONE;
      r[3] = t.stem ? idOf(t.stem) : NONE;
    }
    return r;
  };
  const addTerms = (slot: number, terms: readonly Term[], field: 0 | 1) => {
    for (let i = 0; i < terms.length; i++) {
      const r = idsOf(terms[i]!, field);
      occurrences.push(r[0]!, slot, field);
      if (r[1] !== NONE) occurrences.push(r[1]!, slot, field);
      // Answers mention many words in passing: their sound keys and stems would only add noise.
      if (field === 0) {
        if (r[2] !== NONE) occurrences.push(r[2]!, slot, field);
        if (r[3] !== NONE) occurrences.push(r[3]!, slot, field);
      }
    }
    const lengths = field === 0 ? coreLen : answerLen;
    lengths[slot] = lengths[slot]! + terms.length;
  };

  // Every example question on its own too (nearest-example similarity); called after addTerms
  // of the same terms as a question, so their ids are all known.
  const exampleSlot: number[] = [];
  const exampleOwn: number[][] = [];
  const addExample = (slot: number, terms: readonly Term[]) => {
    const example = exampleSlot.length;
    const own: number[] = [];
    for (let i = 0; i < terms.length; i++) {
      const r = idsOf(terms[i]!, 0);
      examplePairs.push(r[0]!, example, 0);
      if (!own.includes(r[0]!)) own.push(r[0]!);
      if (r[1] !== NONE) examplePairs.push(r[1]!, example, 0);
      if (r[2] !== NONE) examplePairs.push(r[2]!, example, 0);
      if (r[3] !== NONE) examplePairs.push(r[3]!, example, 0);
    }
    exampleSlot.push(slot);
    exampleOwn.push(own);
  };

  // What the classifier learns from: every example question and keyword line, and the
  // out-of-scope questions as one more class.
  const labelled: Array<{ terms: Term[]; label: number }> = [];
  topics.forEach((topic, slot) => {
    for (const lang of LANGS) {
      for (const text of topic.examples[lang]) {
        const terms = analyze(text);
        addTerms(slot, terms, 0);
        addExample(slot, terms);
        labelled.push({ terms, label: slot });
      }
      for (const text of topic.keywords[lang]) {
        const terms = analyze(text);
        addTerms(slot, terms, 0);
        labelled.push({ terms, label: slot });
      }
    }
    for (const lang of LANGS) addTerms(slot, analyze(topic.answer[lang]), 1);
  });
  for (const text of negatives) {
    const terms = analyze(text);
    addTerms(oosSlot, terms, 0);
    addExample(oosSlot, terms);
    labelled.push({ terms, label: oosSlot });
  }
  for (const word of input.lexiconWords) surface.add(word);

  const terms = ids.size;
  const { postingStart, postings, dfCore, df } = groupPostings(occurrences, terms);
  const weightOf = (id: number) => idf(slots, dfCore[id] || df[id]!);
  const { start: exampleStart, items: exampleIds } = groupExamples(examplePairs, terms);
  return {
    format: SEARCH_INDEX_FORMAT,
    topicIds: topics.map((t) => t.id),
    slots,
    oosSlot,
    terms: [...ids.keys()],
    postingStart,
    postings,
    dfCore,
    df,
    coreLen,
    answerLen,
    surface: [...surface],
    exampleSlot: Int32Array.from(exampleSlot),
    exampleWeight: Float64Array.from(exampleOwn, (own) => own.reduce((sum, id) => sum + weightOf(id), 0)),
    exampleStart,
    exampleIds,
    classifier: n > 0 ? trainTopicClassifier(labelled, slots, input.classifier, input.trainingCache) : null,
  };
}

/** A growable buffer of integer triples. */
class Buffer3 {
  data = new Int32Array(3 * 4096);
  length = 0; // triples
  push(a: number, b: number, c: number): void {
    if (3 * this.length + 3 > this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const at = 3 * this.length++;
    this.data[at] = a;
    this.data[at + 1] = b;
    this.data[at + 2] = c;
  }
}

/** The triples' positions grouped by their first number (a stable counting sort). */
function byTerm(buffer: Buffer3, terms: number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(terms + 1);
  const d = buffer.data;
  for (let i = 0; i < buffer.length; i++) start[d[3 * i]! + 1]! += 1;
  for (let t = 0; t < terms; t++) start[t + 1] = start[t + 1]! + start[t]!;
  const next = start.slice(0, terms);
  const order = new Int32Array(buffer.length);
  for (let i = 0; i < buffer.length; i++) order[next[d[3 * i]!]!++] = i;
  return { start, order };
}

/** Postings (slot, count in questions, count in answers) per term, and document frequencies. */
function groupPostings(buffer: Buffer3, terms: number) {
  const { start, order } = byTerm(buffer, terms);
  const d = buffer.data;
  const out: number[] = [];
  const postingStart = new Int32Array(terms + 1);
  const dfCore = new Int32Array(terms);
  const df = new Int32Array(terms);
  for (let t = 0; t < terms; t++) {
    postingStart[t] = out.length;
    // Occurrences come slot by slot (the content is read in slot order): one entry per slot.
    for (let k = start[t]!; k < start[t + 1]!; k++) {
      const i = order[k]!;
      const slot = d[3 * i + 1]!;
      const field = d[3 * i + 2]!;
      const last = out.length - 3;
      if (last < postingStart[t]! || out[last] !== slot) {
        out.push(slot, 0, 0);
        df[t] = df[t]! + 1;
      }
      const at = out.length - 3 + 1 + field;
      if (field === 0 && out[at] === 0) dfCore[t] = dfCore[t]! + 1;
      out[at] = out[at]! + 1;
    }
  }
  postingStart[terms] = out.length;
  return { postingStart, postings: Int32Array.from(out), dfCore, df };
}

/** The examples that use each term (each once). */
function groupExamples(buffer: Buffer3, terms: number): { start: Int32Array; items: Int32Array } {
  const { start, order } = byTerm(buffer, terms);
  const d = buffer.data;
  const items: number[] = [];
  const out = new Int32Array(terms + 1);
  for (let t = 0; t < terms; t++) {
    out[t] = items.length;
    for (let k = start[t]!; k < start[t + 1]!; k++) {
      const example = d[3 * order[k]! + 1]!;
      if (items.length === out[t] || items[items.length - 1] !== example) items.push(example);
    }
  }
  out[terms] = items.length;
  return { start: out, items: Int32Array.from(items) };
}
