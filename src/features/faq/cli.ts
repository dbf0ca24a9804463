/**
 * `seller-bot ask [--json] [TEXT]`: answers a question as the bot would (shared/design.md).
 * With TEXT it answers that; without, it reads one question per line from stdin and answers
 * each as it arrives. `--json` prints one object per question:
 * `{"text","lang","topic","score","answer","suggestions"}`.
 *
 * It opens the configured database like every command (SQLite migrates itself; no sample
 * data), but answering never touches it, so a database problem is a warning, not a failure.
 * Only the FAQ modules are imported: no channel code, so start-up stays quick.
 */
import { createInterface } from "node:readline";
import { z } from "zod";
import type { CliIO } from "../../cli/io.ts";
import { usageError } from "../../cli/io.ts";
import { detectLanguage } from "../../core/language.ts";
import { sanitizeText } from "../../core/text.ts";
import { openDatabase } from "../../db/client.ts";
import { createI18n, type I18n } from "../../i18n/index.ts";
import { faqDir, loadKnowledgeBase, replyFor, type KnowledgeBase } from "./knowledge.ts";

const USAGE = "usage: seller-bot ask [--json] [TEXT]   (without TEXT: one question per line on stdin)";

const argsSchema = z.object({ json: z.boolean(), text: z.string().optional() });

function parseArgs(argv: string[]): z.infer<typeof argsSchema> | string {
  let json = false;
  const words: string[] = [];
  let literal = false;
  for (const arg of argv) {
    if (!literal && arg === "--") literal = true;
    else if (!literal && arg === "--json") json = true;
    else if (!literal && /^--?[a-z]/i.test(arg)) return `Unknown option "${arg}".`;
    else words.push(arg);
  }
  return argsSchema.parse({ json, text: words.length ? words.join(" ") : undefined });
}

/** The answer record of the `ask --json` contract. */
export interface AskResult {
  text: string;
  lang: "en" | "ur" | "ur-Latn";
  topic: string | null;
  score: number;
  answer: string;
  suggestions: string[];
}

/** Answers one question without a user: the reply language is the detected one. */
export function ask(kb: KnowledgeBase, i18n: I18n, text: string): AskResult {
  const clean = sanitizeText(text);
  const lang = detectLanguage(clean).lang;
  const t = i18n.t(lang);
  if (clean === "") return { text, lang, topic: null, score: 0, answer: t("common:empty"), suggestions: [] };
  const match = kb.matcher.match(clean);
  const reply = replyFor(kb, match, lang, t);
  return { text, lang, topic: match.topic, score: match.score, answer: reply.text, suggestions: reply.suggestions };
}

/** Runs `ask`. */
export async function runAsk(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") return usageError(io, `${args}\n${USAGE}`);
  const opening = openDatabase({ url: io.config.database.url, migrate: io.config.database.provider === "sqlite" }).then(
    (db) => db.close(),
    (error: unknown) => void io.stderr.write(`warning: could not open the database (${error instanceof Error ? error.message : String(error)}); answering anyway\n`),
  );
  const kb = loadKnowledgeBase(faqDir(io.config.contentDir));
  const i18n = createI18n();
  const print = (text: string) => {
    const result = ask(kb, i18n, text);
    io.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${result.answer}\n\n`);
  };
  if (args.text !== undefined) print(args.text);
  else {
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    for await (const line of lines) print(line);
  }
  await opening;
  return 0;
}
