/**
 * The FAQ knowledge base: one JSON file per topic under `<CONTENT_DIR>/faq/`, editable by a
 * partner without touching code. Every file is validated with zod at load; a bad file stops
 * the load with an error that names the file and the field.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Lang } from "../../core/types.ts";

const TOPIC_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const topicId = z.string().regex(TOPIC_ID, "expected a kebab-case id like register-account").max(48);
const nonEmpty = z.string().trim().min(1, "must not be empty");
const perLang = <T extends z.ZodType>(item: T) => z.object({ en: item, ur: item, "ur-Latn": item }).strict();
const phrases = z.array(nonEmpty).default([]);

/** The shape of one topic file. */
export const faqTopicSchema = z
  .object({
    id: topicId,
    /** A routing topic names itself here: the FAQ hands the message to the feature owning it. */
    route: topicId.nullable().default(null),
    answer: perLang(nonEmpty.max(1500, "too long for a phone screen (max 1500 characters)")),
    examples: perLang(phrases),
    keywords: perLang(phrases).default({ en: [], ur: [], "ur-Latn": [] }),
    related: z.array(topicId).max(6).default([]),
    /** Optional short button label; without it the first example question is used. */
    title: perLang(nonEmpty.max(60)).optional(),
  })
  .strict();

/** One validated topic. */
export type FaqTopic = z.infer<typeof faqTopicSchema>;

/** Raised for a content file that cannot be used; `message` names the file and field. */
export class FaqContentError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`FAQ content ${file}: ${field}: ${problem}`);
    this.name = "FaqContentError";
  }
}

/**
 * Parses a content file's text against its schema; throws FaqContentError naming the file and
 * the first field that is wrong. `file` is used in errors only.
 */
export function parseContentFile<T extends z.ZodType>(file: string, text: string, schema: T): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FaqContentError(file, "(file)", `not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FaqContentError(file, issue.path.join(".") || "(root)", issue.message);
  }
  return parsed.data;
}

/** Parses one topic file's text; `file` is used in errors only. */
export function parseTopicFile(file: string, text: string): FaqTopic {
  const topic = parseContentFile(file, text, faqTopicSchema);
  const expected = file.replace(/^.*[\\/]/, "").replace(/\.json$/, "");
  if (topic.id !== expected) throw new FaqContentError(file, "id", `"${topic.id}" must match the file name "${expected}"`);
  if (topic.route !== null && topic.route !== topic.id) throw new FaqContentError(file, "route", `must be null or the topic's own id "${topic.id}"`);
  return topic;
}

/**
 * Loads every `*.json` topic in `dir` (sorted by name). A missing folder is an empty
 * knowledge base. `related` ids that name no loaded topic are dropped here (so one missing
 * file does not take the whole FAQ down) and reported by {@link danglingRelated}.
 */
export function loadFaqTopics(dir: string): FaqTopic[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const topics = files.map((f) => parseTopicFile(join(dir, f), readFileSync(join(dir, f), "utf8")));
  const ids = new Set(topics.map((t) => t.id));
  return topics.map((t) => ({ ...t, related: t.related.filter((r) => ids.has(r) && r !== t.id) }));
}

/** `related` references in raw files that name no topic in `dir` (for the content test). */
export function danglingRelated(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const topics = files.map((f) => parseTopicFile(join(dir, f), readFileSync(join(dir, f), "utf8")));
  const ids = new Set(topics.map((t) => t.id));
  return topics.flatMap((t) => t.related.filter((r) => !ids.has(r) || r === t.id).map((r) => `${t.id} → ${r}`));
}

/** A short label for a topic's button, in a language. */
export function topicLabel(topic: FaqTopic, lang: Lang): string {
  const label = topic.title?.[lang] ?? topic.examples[lang][0] ?? topic.examples.en[0] ?? topic.id;
  return label.length > 60 ? `${label.slice(0, 57).trimEnd()}…` : label;
}

/** The shape of the out-of-scope questions file (content/faq-negatives/out-of-scope.json). */
export const negativesSchema = z
  .object({
    about: z.string().optional(),
    en: z.array(nonEmpty).default([]),
    ur: z.array(nonEmpty).default([]),
    "ur-Latn": z.array(nonEmpty).default([]),
  })
  .strict();

/** Out-of-scope example questions per form. */
export type FaqNegatives = Record<Lang, string[]>;

/** The out-of-scope questions file inside the negatives folder. */
export const NEGATIVES_FILE = "out-of-scope.json";

/**
 * Loads `<dir>/out-of-scope.json`: questions the FAQ must not answer, which the matcher
 * indexes as a topic that is never answered. A missing file is an empty list.
 */
export function loadNegatives(dir: string): FaqNegatives {
  const file = join(dir, NEGATIVES_FILE);
  if (!existsSync(file)) return { en: [], ur: [], "ur-Latn": [] };
  const data = parseContentFile(file, readFileSync(file, "utf8"), negativesSchema);
  return { en: data.en, ur: data.ur, "ur-Latn": data["ur-Latn"] };
}
