/**
 * The FAQ's decision turned into a reply: what the bot says and which choices it offers.
 * Shared by the chat feature and `seller-bot ask`, so both answer alike.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Translate } from "../../i18n/index.ts";
import type { Choice, Lang } from "../../core/types.ts";
import { LANGS } from "../../core/types.ts";
import { CALIBRATION_FILE, loadCalibration } from "./calibration.ts";
import { loadFaqTopics, loadNegatives, NEGATIVES_FILE, topicLabel, type FaqNegatives, type FaqTopic } from "./content.ts";
import { LEXICON_FILE, loadLexicon, type Concept } from "./lexicon.ts";
import { cachedContent, cachedIndex, createTrainingCache, type IndexOrigin } from "./index-cache.ts";
import { buildMatcherIndex, createFaqMatcher, type FaqMatch, type FaqMatcher } from "./matcher.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Choice data for a topic: `faq:topic:<id>` (≤ 58 bytes: ids are at most 48). */
export const topicChoiceData = (id: string) => `faq:topic:${id}`;

/** The loaded knowledge base and its index. */
export interface KnowledgeBase {
  topics: Map<string, FaqTopic>;
  matcher: FaqMatcher;
  /** Whether the index was read from the index cache or built (index-cache.ts). */
  indexOrigin: IndexOrigin;
}

/**
 * The FAQ folder for a configured content dir. A relative CONTENT_DIR is looked up from the
 * working directory first and then from the project root, so `npx seller-bot ask` works
 * from any directory.
 */
export function faqDir(contentDir: string): string {
  if (isAbsolute(contentDir)) return join(contentDir, "faq");
  const local = resolve(contentDir, "faq");
  return existsSync(local) ? local : join(REPO_ROOT, contentDir, "faq");
}

/** Everything the matcher is built from: topics, the concept lexicon, out-of-scope questions. */
export interface FaqContent {
  topics: FaqTopic[];
  lexicon: Concept[];
  negatives: FaqNegatives;
}

/**
 * Loads the FAQ content for a topics folder (`<CONTENT_DIR>/faq`): the topic files, and from
 * its sibling folders `lexicon/concepts.json` and `faq-negatives/out-of-scope.json` (either
 * may be missing). Throws FaqContentError for a bad file.
 */
export function loadFaqContent(dir: string): FaqContent {
  const parent = dirname(dir);
  return { topics: loadFaqTopics(dir), lexicon: loadLexicon(join(parent, "lexicon")), negatives: loadNegatives(join(parent, "faq-negatives")) };
}

/** Every file {@link loadFaqContent} and the shipped calibration read (the content cache's key). */
function contentFiles(dir: string): string[] {
  const parent = dirname(dir);
  const topics = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => join(dir, f)) : [];
  return [...topics, join(parent, "lexicon", LEXICON_FILE), join(parent, "faq-negatives", NEGATIVES_FILE), CALIBRATION_FILE];
}

/** Where the index (and the validated content) is kept between starts: a folder, or null to build and validate every time. */
export interface KnowledgeBaseOptions {
  indexCacheDir?: string | null;
}

/**
 * Loads the content and the index (read from the index cache when the content and the code
 * are unchanged, else built and written there: index-cache.ts) with the shipped calibration
 * (src/features/faq/calibration.json). Throws FaqContentError for a bad file.
 */
export function loadKnowledgeBase(dir: string, options: KnowledgeBaseOptions = {}): KnowledgeBase {
  const load = () => ({ ...loadFaqContent(dir), calibration: loadCalibration() });
  const { topics, lexicon, negatives: byLang, calibration } = options.indexCacheDir === null ? load() : cachedContent(contentFiles(dir), load, options.indexCacheDir);
  const negatives = LANGS.flatMap((l) => byLang[l]);
  const matcherOptions = { lexicon, negatives, calibration };
  // Without an index cache nothing is kept, the trained classifier included.
  const trainingCache = options.indexCacheDir === null ? undefined : createTrainingCache(options.indexCacheDir);
  const build = () => buildMatcherIndex(topics, { ...matcherOptions, trainingCache });
  const { index, origin } =
    options.indexCacheDir === null ? { index: build(), origin: "built" as const } : cachedIndex({ topics, lexicon, negatives }, build, options.indexCacheDir);
  const matcher = createFaqMatcher(topics, { ...matcherOptions, index });
  return { topics: new Map(topics.map((t) => [t.id, t])), matcher, indexOrigin: origin };
}

/** A reply as the bot would send it, plus the topic ids behind its choices. */
export interface FaqReply {
  text: string;
  choices: Choice[];
  /** Topic ids offered as choices (related topics, "did you mean", or partner/person). */
  suggestions: string[];
}

/** Up to three topic choices for ids that exist. */
function topicChoices(kb: KnowledgeBase, ids: string[], lang: Lang): Choice[] {
  return ids
    .map((id) => kb.topics.get(id))
    .filter((t): t is FaqTopic => t !== undefined)
    .slice(0, 3)
    .map((t) => ({ data: topicChoiceData(t.id), label: topicLabel(t, lang) }));
}

/** The answer of one topic with its related topics as choices. */
export function answerReply(kb: KnowledgeBase, topic: FaqTopic, lang: Lang): FaqReply {
  const choices = topicChoices(kb, topic.related, lang);
  return { text: topic.answer[lang], choices, suggestions: choices.map((c) => c.data.slice("faq:topic:".length)) };
}

/** What to say for a match: the answer, "did you mean", or "nothing found" with a way on. */
export function replyFor(kb: KnowledgeBase, match: FaqMatch, lang: Lang, t: Translate): FaqReply {
  const top = match.topic ? kb.topics.get(match.topic) : undefined;
  if (top) return answerReply(kb, top, lang);
  if (match.decision === "unsure") {
    const choices = topicChoices(kb, match.ranked.map((r) => r.topic), lang);
    return { text: t("faq:didYouMean"), choices, suggestions: choices.map((c) => c.data.slice("faq:topic:".length)) };
  }
  return {
    text: t("faq:nothingFound"),
    choices: [
      { data: topicChoiceData("find-partner"), label: t("faq:findPartner") },
      { data: topicChoiceData("talk-to-human"), label: t("faq:talkToHuman") },
    ],
    suggestions: ["find-partner", "talk-to-human"],
  };
}
