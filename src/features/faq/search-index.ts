/**
 * What the FAQ matcher computes from the content before it can answer: per topic the terms of
 * its example questions and keywords (all three forms) and of its answers, every example
 * question on its own, the out-of-scope questions as one more slot, and the topic classifier
 * (classifier.ts). Built once from the content ({@link buildSearchIndex}) and kept as plain
 * data (strings and typed arrays) so that it can be written to a file and read back unchanged
 * (index-cache.ts): a start-up with unchanged content reads the index instead of building it.
 */
import { LANGS } from "../../core/types.ts";
import { trainTopicClassifier, type ClassifierOptions, type ClassifierState } from "./classifier.ts";
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
}

/** The IDF of a document frequency over `slots` slots. */
export const idf = (slots: number, df: number) => Math.log(1 + slots / Math.max(1, df));

/** Builds the index from the content. */
export function buildSearchIndex(topics: readonly FaqTopic[], input: SearchIndexInput): SearchIndex {
  const { analyze, negatives } = input;
  const n = topics.length;
  const slots = negatives.length > 0 ? n + 1 : n;
  const oosSlot = negatives.length > 0 ? n : -1;

  // Postings are filled slot by slot, in order, so a term's current slot is its last entry.
  const ids = new Map<string, number>();
  const entries: number[][] = [];
  const dfCore: number[] = [];
  const df: number[] = [];
  const exampleLists: number[][] = []; // per term: the examples that use it
  const idOf = (term: string) => {
    let id = ids.get(term);
    if (id === undefined) {
      ids.set(term, (id = entries.length));
      entries.push([]);
      exampleLists.push([]);
      dfCore.push(0);
      df.push(0);
    }
    return id;
  };
  const coreLen = new Float64Array(slots);
  const answerLen = new Float64Array(slots);
  const surface = new Set<string>();
  const count = (term: string, slot: number, field: 0 | 1) => {
    const id = idOf(term);
    const e = entries[id]!;
    const last = e.length - 3;
    if (last < 0 || e[last] !== slot) {
      e.push(slot, field === 0 ? 1 : 0, field === 1 ? 1 : 0);
      df[id] = df[id]! + 1;
      if (field === 0) dfCore[id] = dfCore[id]! + 1;
    } else if (field === 0) {
      if (e[last + 1] === 0) dfCore[id] = dfCore[id]! + 1;
      e[last + 1] = e[last + 1]! + 1;
    } else e[last + 2] = e[last + 2]! + 1;
  };
  const addTerms = (slot: number, terms: readonly Term[], field: 0 | 1) => {
    for (const t of terms) {
      count(t.term, slot, field);
      if (t.concept) count(t.concept, slot, field);
      // Answers mention many words in passing: their sound keys and stems would only add noise.
      if (field === 0) {
        if (t.sound) count(t.sound.own, slot, field);
        if (t.stem) count(t.stem, slot, field);
      }
      if (!t.phrase) surface.add(t.term);
    }
    const lengths = field === 0 ? coreLen : answerLen;
    lengths[slot] = lengths[slot]! + terms.length;
  };

  // Every example question on its own too (nearest-example similarity).
  const exampleSlot: number[] = [];
  const exampleOwn: number[][] = [];
  const addExample = (slot: number, terms: readonly Term[]) => {
    const example = exampleSlot.length;
    const own: number[] = [];
    const post = (term: string) => {
      const id = idOf(term);
      const list = exampleLists[id]!;
      if (list[list.length - 1] !== example) list.push(example);
      return id;
    };
    for (const t of terms) {
      const id = post(t.term);
      if (!own.includes(id)) own.push(id);
      if (t.concept) post(t.concept);
      if (t.sound) post(t.sound.own);
      if (t.stem) post(t.stem);
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
        const terms = analyze(text, Infinity);
        addTerms(slot, terms, 0);
        addExample(slot, terms);
        labelled.push({ terms, label: slot });
      }
      for (const text of topic.keywords[lang]) {
        const terms = analyze(text, Infinity);
        addTerms(slot, terms, 0);
        labelled.push({ terms, label: slot });
      }
    }
    for (const lang of LANGS) addTerms(slot, analyze(topic.answer[lang], Infinity), 1);
  });
  for (const text of negatives) {
    const terms = analyze(text, Infinity);
    addTerms(oosSlot, terms, 0);
    addExample(oosSlot, terms);
    labelled.push({ terms, label: oosSlot });
  }
  for (const word of input.lexiconWords) surface.add(word);

  const weightOf = (id: number) => idf(slots, dfCore[id] || df[id]!);
  return {
    format: SEARCH_INDEX_FORMAT,
    topicIds: topics.map((t) => t.id),
    slots,
    oosSlot,
    terms: [...ids.keys()],
    ...flatten(entries),
    dfCore: Int32Array.from(dfCore),
    df: Int32Array.from(df),
    coreLen,
    answerLen,
    surface: [...surface],
    exampleSlot: Int32Array.from(exampleSlot),
    exampleWeight: Float64Array.from(exampleOwn, (own) => own.reduce((sum, id) => sum + weightOf(id), 0)),
    ...flattenExamples(exampleLists),
    classifier: n > 0 ? trainTopicClassifier(labelled, slots, input.classifier) : null,
  };
}

function flatten(lists: readonly number[][]): { postingStart: Int32Array; postings: Int32Array } {
  const postingStart = new Int32Array(lists.length + 1);
  let total = 0;
  lists.forEach((l, i) => {
    postingStart[i] = total;
    total += l.length;
  });
  postingStart[lists.length] = total;
  const postings = new Int32Array(total);
  lists.forEach((l, i) => postings.set(l, postingStart[i]!));
  return { postingStart, postings };
}

function flattenExamples(lists: readonly number[][]): { exampleStart: Int32Array; exampleIds: Int32Array } {
  const { postingStart, postings } = flatten(lists);
  return { exampleStart: postingStart, exampleIds: postings };
}
