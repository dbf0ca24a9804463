/**
 * The production parts of the understanding step: the partners' gazetteer, the FAQ
 * knowledge base's matcher, the progress stages and the lexicons of CONTENT_DIR. Used by the
 * app, `seller-bot ask`, `eval:intents` and `bench:understand`, so all of them understand alike.
 * (The step itself, src/understanding/understander.ts, imports none of these.)
 */
import type { Understander, Understanding } from "../core/understanding.ts";
import type { KnowledgeBase } from "../features/faq/knowledge.ts";
import { loadGazetteer } from "../features/partners/gazetteer.ts";
import { loadStages } from "../features/progress/stages.ts";
import { cachedLexicons, DEFAULT_BUILD_CACHE_DIR } from "./build-cache.ts";
import { understandingDir } from "./lexicon.ts";
import { createUnderstander } from "./understander.ts";

/** An FAQ that knows nothing (its content could not be loaded): every question is `none`. */
const NO_FAQ = { match: () => ({ topic: null, score: 0, decision: "none" as const, ranked: [] }) };

/**
 * Builds the understander over the knowledge base `kb` (null: without an FAQ) and the
 * content of `contentDir`. Throws LexiconError for a bad lexicon file. The lexicons and
 * their compiled entries come from the build cache in `cacheDir` when the files are
 * unchanged (build-cache.ts; null: always validated and compiled afresh).
 */
export function createContentUnderstander(contentDir: string, kb: KnowledgeBase | null, cacheDir: string | null = DEFAULT_BUILD_CACHE_DIR): Understander {
  const vocabulary: string[] = [];
  for (const topic of kb?.topics.values() ?? []) for (const list of Object.values(topic.examples)) vocabulary.push(...list);
  const lexicons = cachedLexicons(understandingDir(contentDir), cacheDir);
  const understander = createUnderstander({
    lexicons: lexicons.lexicons,
    places: loadGazetteer(),
    faq: kb?.matcher ?? NO_FAQ,
    stages: loadStages(stagesDir(contentDir)).list,
    vocabulary,
  });
  lexicons.save();
  return understander;
}

/**
 * Builds a lazy understander soon, off the path of any message: a timer (not keeping the
 * process alive) understands an empty text once, so the first seller does not pay the build.
 * A build that fails is reported to `onError`; the first message then tries again.
 */
export function warmInBackground(understander: Understander, onError: (error: unknown) => void): void {
  const timer = setTimeout(() => {
    try {
      understander.understand("");
    } catch (error) {
      onError(error);
    }
  }, 0);
  timer.unref?.();
}

/** An understander built on first use (start-up stays quick; the first message pays once). */
export function lazyUnderstander(build: () => Understander): Understander {
  let built: Understander | undefined;
  return { understand: (text: string): Understanding => (built ??= build()).understand(text) };
}

/** The content dir the progress stages are read from (relative dirs as the FAQ resolves them). */
function stagesDir(contentDir: string): string {
  // understandingDir resolves a relative CONTENT_DIR from the working directory or the repo root.
  return understandingDir(contentDir).replace(/[\\/]understanding$/, "");
}
