/**
 * The concept lexicon: groups of words and phrases that mean the same thing in any of the
 * three forms ("photo / pic / tasveer / تصویر"), kept as content data in
 * `<CONTENT_DIR>/lexicon/concepts.json` so a partner can add words without code. The FAQ
 * matcher reads every member of a group as the group's one concept, in the knowledge base and
 * in questions alike, so what an example says with one word counts for the others.
 *
 * Validated with zod at load; a bad file stops the load with an error naming the file and the
 * field (`FAQ content content/lexicon/concepts.json: concepts.3.words.1: …`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { FaqContentError, parseContentFile } from "./content.ts";
import { allTokens } from "./normalize.ts";

const conceptId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "expected a kebab-case id like tax-number").max(48);
const member = z.string().trim().min(1, "must not be empty").max(60, "too long for a word or phrase (max 60 characters)");

/** The shape of `concepts.json`. */
export const lexiconSchema = z
  .object({
    concepts: z.array(
      z
        .object({
          id: conceptId,
          /** Words and short phrases (up to 4 words) that mean this concept, in any form. */
          words: z.array(member).min(2, "a concept needs at least two words (otherwise it changes nothing)"),
        })
        .strict(),
    ),
  })
  .strict();

/** One concept group as written in the file. */
export type Concept = z.infer<typeof lexiconSchema>["concepts"][number];

/** The file name of the lexicon inside the lexicon folder. */
export const LEXICON_FILE = "concepts.json";

/** Longest phrase, in words, that a concept may list. */
export const MAX_PHRASE_WORDS = 4;

/** Parses the lexicon file's text; `file` is used in errors only. */
export function parseLexicon(file: string, text: string): Concept[] {
  const { concepts } = parseContentFile(file, text, lexiconSchema);
  const ids = new Map<string, number>();
  const owner = new Map<string, string>(); // normalised phrase → concept id
  concepts.forEach((concept, i) => {
    const seen = ids.get(concept.id);
    if (seen !== undefined) throw new FaqContentError(file, `concepts.${i}.id`, `"${concept.id}" is already the id of concepts.${seen}`);
    ids.set(concept.id, i);
    concept.words.forEach((word, j) => {
      const keys = allTokens(word);
      const field = `concepts.${i}.words.${j}`;
      if (keys.length === 0) throw new FaqContentError(file, field, `"${word}" has no letters to match`);
      if (keys.length > MAX_PHRASE_WORDS) throw new FaqContentError(file, field, `"${word}" is longer than ${MAX_PHRASE_WORDS} words`);
      const key = keys.join(" ");
      const other = owner.get(key);
      if (other !== undefined && other !== concept.id) {
        throw new FaqContentError(file, field, `"${word}" is already a word of concept "${other}" (a word can mean one concept only)`);
      }
      owner.set(key, concept.id);
    });
  });
  return concepts;
}

/**
 * Loads `<dir>/concepts.json`. A missing folder or file is an empty lexicon (matching works
 * without it, only less well across forms).
 */
export function loadLexicon(dir: string): Concept[] {
  const file = join(dir, LEXICON_FILE);
  if (!existsSync(file)) return [];
  return parseLexicon(file, readFileSync(file, "utf8"));
}

/** A phrase of the lexicon as word keys, and the concept it stands for. */
interface Phrase {
  keys: string[];
  concept: string;
}

/** Finds concepts in a sequence of word keys. */
export interface ConceptFinder {
  /**
   * The concept of the longest lexicon phrase (of `minWords` words or more, default 1)
   * starting at `keys[at]`, and how many words it takes; undefined when none starts there.
   */
  phraseAt(keys: readonly string[], at: number, minWords?: number): { concept: string; length: number } | undefined;
  /** Every word key of the lexicon's one-word members with its concept (for spelling recovery). */
  readonly words: ReadonlyMap<string, string>;
}

/** Term used for a concept in the index and in questions. */
export const conceptTerm = (id: string) => `@${id}`;

/**
 * Compiles concepts for matching. Phrases are compared by word keys (normalize.ts), so the
 * spelling variants the normaliser merges need no entry of their own.
 */
export function createConceptFinder(concepts: readonly Concept[]): ConceptFinder {
  const byFirst = new Map<string, Phrase[]>();
  const words = new Map<string, string>();
  for (const concept of concepts) {
    for (const word of concept.words) {
      const keys = allTokens(word);
      if (keys.length === 0) continue;
      const list = byFirst.get(keys[0]!) ?? [];
      list.push({ keys, concept: concept.id });
      byFirst.set(keys[0]!, list);
      if (keys.length === 1) words.set(keys[0]!, concept.id);
    }
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.keys.length - a.keys.length);

  return {
    words,
    phraseAt(keys, at, minWords = 1) {
      const candidates = byFirst.get(keys[at]!);
      if (!candidates) return undefined;
      for (const phrase of candidates) {
        if (phrase.keys.length < minWords) break; // longest first
        let ok = at + phrase.keys.length <= keys.length;
        for (let i = 1; ok && i < phrase.keys.length; i++) ok = keys[at + i] === phrase.keys[i];
        if (ok) return { concept: phrase.concept, length: phrase.keys.length };
      }
      return undefined;
    },
  };
}
