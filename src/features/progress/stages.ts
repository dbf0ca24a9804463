/**
 * The onboarding stages, read from content/progress/stages.json (data a partner or admin can
 * edit: labels, how-tos, report phrases, the FAQ topic that explains each stage).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { LANGS, type Lang } from "../../core/types.ts";

const localized = z.object({ en: z.string().min(1), ur: z.string().min(1), "ur-Latn": z.string().min(1) });

const stageSchema = z.object({
  /** Stable id; stored in ProgressEvent.stageId and used in choice data (`pg:tick:<id>`). */
  id: z.string().regex(/^[a-z0-9-]{1,24}$/, "expected 1-24 characters a-z 0-9 -"),
  /** FAQ topic id (shared/faq-topics.md) whose answer explains this stage. */
  faqTopic: z.string().regex(/^[a-z0-9-]{1,40}$/),
  /** Products listed that reach this stage when a seller reports a count. */
  minProducts: z.number().int().min(1).max(10_000).optional(),
  label: localized,
  howTo: localized,
  /** Phrases (any language) that name this stage in a free-text report. */
  phrases: z.array(z.string().min(2)).default([]),
});

const fileSchema = z
  .object({ version: z.literal(1), stages: z.array(stageSchema).min(1).max(20) })
  .refine((f) => new Set(f.stages.map((s) => s.id)).size === f.stages.length, "stage ids must be unique");

/** One stage of the checklist. */
export type Stage = z.infer<typeof stageSchema> & { index: number };

/** The checklist in order, with lookups. */
export interface Stages {
  list: Stage[];
  byId(id: string): Stage | undefined;
  label(stage: Stage, lang: Lang): string;
}

/** Reads and validates the stages file; throws one clear error naming the bad fields. */
export function loadStages(contentDir: string): Stages {
  const path = join(contentDir, "progress", "stages.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as Error).message})`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ")}`);
  }
  return createStages(parsed.data.stages);
}

/** Builds the lookups over a validated list. */
export function createStages(stages: Array<z.infer<typeof stageSchema>>): Stages {
  const list = stages.map((s, index) => ({ ...s, index }));
  const map = new Map(list.map((s) => [s.id, s]));
  return {
    list,
    byId: (id) => map.get(id),
    label: (stage, lang) => stage.label[LANGS.includes(lang) ? lang : "en"],
  };
}
