/**
 * The understanding's lexicons: content/understanding/*.json (CONTENT_DIR/understanding),
 * data a partner can edit. Each file is validated with zod when loaded; a bad file stops the
 * load with one error naming the file and the field
 * (`content/understanding/answers.json: yes.ur: expected array`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { INTENTS } from "../core/understanding.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

// Plain strings for zod (its first parse of ~4,000 checked strings costs ~30 ms at start);
// length and blanks are checked by checkPhrases below, with the same file-and-field errors.
const phrase = z.string();
const MAX_PHRASE = 120;
const list = z.array(phrase);
/** Words or phrases in the three forms (the forms only keep the file readable: all are used). */
const forms = z.object({ en: list, ur: list, "ur-Latn": list }).strict();
const numberForms = z
  .object({ en: z.record(phrase, z.number().int().min(0)), ur: z.record(phrase, z.number().int().min(0)), "ur-Latn": z.record(phrase, z.number().int().min(0)) })
  .strict();
const rsvpForms = z.object({ going: forms, maybe: forms, no: forms }).strict();
const conceptName = z.string().regex(/^[a-z]+$/, "concept names are lower-case letters");
const about = z.string().optional();

const schemas = {
  concepts: z.object({ version: z.literal(1), about, concepts: z.record(conceptName, forms) }).strict(),
  intents: z
    .object({
      version: z.literal(1),
      about,
      intents: z.record(z.enum(INTENTS), z.object({ cues: list, weak: list, unless: z.array(conceptName).optional(), examples: forms }).strict()),
    })
    .strict(),
  "small-talk": z
    .object({
      version: z.literal(1),
      about,
      greeting: forms,
      thanks: forms,
      ack: forms,
      bye: forms,
      menu: forms,
      menuAround: forms,
      filler: forms,
      talkAround: forms,
      // Words that join a town to a greeting ("salaam from sialkot", "گوجرانوالہ سے سلام").
      greetFrom: forms.optional(),
      emoji: z.object({ ack: list, thanks: list, greeting: list, bye: list }).strict(),
    })
    .strict(),
  "opt-out": z
    .object({ version: z.literal(1), about, keywords: forms, phrases: list, maybe: list, notOptOut: list, optinKeywords: forms, optinPhrases: list, frameClasses: list, frameAround: forms, keepPhrases: list })
    .strict(),
  complaints: z.object({ version: z.literal(1), about, closure: forms, failure: forms, general: forms }).strict(),
  // Urdu-script function words and their Roman Urdu key, for messages that mix the scripts ("theekہے").
  scripts: z.object({ version: z.literal(1), about, pairs: z.record(phrase, phrase) }).strict(),
  places: z.object({ version: z.literal(1), about, never: forms, around: forms, aliases: z.record(phrase, phrase).optional(), verbAfter: forms.optional(), verbStems: forms.optional() }).strict(),
  numbers: z.object({ version: z.literal(1), about, words: numberForms, countable: forms }).strict(),
  answers: z
    .object({
      version: z.literal(1),
      about,
      yes: forms,
      no: forms,
      skip: forms,
      rsvp: rsvpForms,
      rsvpAlone: rsvpForms,
      rsvpWithEvent: rsvpForms,
    })
    .strict(),
  languages: z
    .object({ version: z.literal(1), about, names: z.object({ en: list, ur: list, "ur-Latn": list }).strict(), around: forms, hard: forms.optional() })
    .strict(),
  progress: z
    .object({ version: z.literal(1), about, done: forms, notYet: forms, listing: forms, stages: z.record(z.string().regex(/^[a-z0-9-]{1,24}$/), forms) })
    .strict(),
} as const;

/** The lexicon files, by name. */
export const LEXICON_FILES = Object.keys(schemas) as Array<keyof typeof schemas>;

/** Everything the lexicon files hold, validated. */
export type Lexicons = { [K in keyof typeof schemas]: z.infer<(typeof schemas)[K]> };

/** A lexicon file that is missing, unreadable or invalid. */
export class LexiconError extends Error {
  override name = "LexiconError";
}

/**
 * The understanding folder for a configured content dir. A relative CONTENT_DIR is looked up
 * from the working directory first and then from the project root (like the FAQ's).
 */
export function understandingDir(contentDir: string): string {
  if (isAbsolute(contentDir)) return join(contentDir, "understanding");
  const local = resolve(contentDir, "understanding");
  return existsSync(local) ? local : join(REPO_ROOT, contentDir, "understanding");
}

/** Reads and validates every lexicon file of `dir`; throws LexiconError naming file and field. */
export function loadLexicons(dir: string): Lexicons {
  const out = {} as Record<string, unknown>;
  for (const name of LEXICON_FILES) out[name] = parseLexicon(name, join(dir, `${name}.json`));
  return out as Lexicons;
}

function parseLexicon(name: keyof typeof schemas, path: string): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new LexiconError(`${shortPath(path)}: cannot read (${(error as Error).message})`);
  }
  const parsed = schemas[name].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LexiconError(`${shortPath(path)}: ${issue.path.join(".") || "(file)"}: ${issue.message}`);
  }
  checkPhrases(parsed.data, [], shortPath(path));
  return parsed.data;
}

/** Every word or phrase is non-blank and at most {@link MAX_PHRASE} characters. */
function checkPhrases(value: unknown, at: Array<string | number>, file: string): void {
  if (Array.isArray(value)) value.forEach((v, i) => checkPhrases(v, [...at, i], file));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) checkPhrases(v, [...at, k], file);
  else if (typeof value === "string" && at[at.length - 1] !== "about" && (value.trim() === "" || value.length > MAX_PHRASE)) {
    throw new LexiconError(`${file}: ${at.join(".")}: ${value.trim() === "" ? "blank entry" : `longer than ${MAX_PHRASE} characters`}`);
  }
}

function shortPath(path: string): string {
  const rel = path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length + 1) : path;
  return rel;
}

/** All entries of a three-form list. */
export function allForms(f: { en: string[]; ur: string[]; "ur-Latn": string[] }): string[] {
  return [...f.en, ...f.ur, ...f["ur-Latn"]];
}
