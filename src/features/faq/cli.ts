/**
 * `seller-bot ask [--json] [TEXT]`: answers a message as the bot would for a fresh user with
 * no conversation in progress (shared/design.md, shared/intents.md). With TEXT it answers
 * that; without, it reads one message per line from stdin and answers each as it arrives.
 * `--json` prints one object per message:
 * `{"text","lang","intent","entities","topic","score","answer","suggestions"}`.
 *
 * It opens the configured database like every command (SQLite migrates itself; no sample
 * data), but answering never touches it, so a database problem is a warning, not a failure.
 * No channel code is imported, so start-up stays quick.
 */
import { createInterface } from "node:readline";
import type { CliIO } from "../../cli/io.ts";
import { sanitizeText } from "../../core/text.ts";
import { INTENT_TOPICS, type Entities, type Intent, type Understander, type Understanding } from "../../core/understanding.ts";
import { openConfiguredDatabase } from "../../db/client.ts";
import { createI18n, type I18n, type Translate } from "../../i18n/index.ts";
import { createContentUnderstander } from "../../understanding/wiring.ts";
import { notUnderstoodReply } from "./index.ts";
import { answerReply, faqDir, loadKnowledgeBase, replyFor, type FaqReply, type KnowledgeBase } from "./knowledge.ts";

/** The answer record of the `ask --json` contract. */
export interface AskResult {
  text: string;
  lang: "en" | "ur" | "ur-Latn";
  intent: Intent;
  entities: Entities;
  /** For `faq` the answered topic (null when not confident); for a routed intent its topic. */
  topic: string | null;
  /** The FAQ's confidence for `faq`; otherwise the understanding's. */
  score: number;
  answer: string;
  suggestions: string[];
}

/** Answers one message as for a fresh user: the reply language is the one written in. */
export function ask(kb: KnowledgeBase, understander: Understander, i18n: I18n, text: string): AskResult {
  const clean = sanitizeText(text);
  const u = understander.understand(clean);
  const lang = u.lang;
  const t = i18n.t(lang);
  if (clean === "") return { text, lang, intent: "none", entities: {}, topic: null, score: 0, answer: t("common:empty"), suggestions: [] };
  const reply = replyOf(kb, u, t);
  const topic = u.intent === "faq" ? (u.faq?.topic ?? null) : (INTENT_TOPICS[u.intent] ?? null);
  const score = u.intent === "faq" ? (u.faq?.score ?? 0) : u.confidence;
  return { text, lang, intent: u.intent, entities: u.entities, topic, score, answer: reply.text, suggestions: reply.suggestions };
}

/**
 * What the bot says to a fresh user (no partner, location, progress or answers yet) for
 * what it understood. Intents that act on the user's data answer with their topic's
 * knowledge-base text, as the chat does when no feature takes a topic.
 */
function replyOf(kb: KnowledgeBase, u: Understanding, t: Translate): FaqReply {
  const plain = (text: string): FaqReply => ({ text, choices: [], suggestions: [] });
  switch (u.intent) {
    case "faq":
      return u.faq ? replyFor(kb, u.faq, u.lang, t) : notUnderstoodReply(t);
    case "none":
      return notUnderstoodReply(t);
    case "greeting":
      return plain(`${t("common:welcome", { name: "" })}\n\n${t("common:menu.title")}`);
    case "menu":
      return plain(t("common:menu.title"));
    case "thanks":
    case "ack":
    case "bye":
      return plain(t(`common:smallTalk.${u.intent}`));
    case "optout":
      return plain(t(u.optOut === "maybe" ? "broadcasts:optOut.confirm" : "broadcasts:optOut.done"));
    case "optin":
      return plain(t("broadcasts:optOut.start"));
    case "language":
      return plain(u.entities.lang ? i18nIn(t, u.entities.lang) : t("common:language.prompt"));
    case "partner.mine":
      return plain(`${t("partners:mine.none")}\n\n${t("partners:find.askPlace", { howto: t("partners:find.howto") })}`);
    case "partner.change":
      return plain(`${t("partners:change.intro")}\n\n${t("partners:find.askPlace", { howto: t("partners:find.howto") })}`);
    case "complaint.partner":
      return plain(t("partners:complaint.text"));
    case "events.mine":
      return plain(t("events:rsvp.noneAnswered"));
    default: {
      const topic = kb.topics.get(INTENT_TOPICS[u.intent] ?? "");
      return topic ? answerReply(kb, topic, u.lang) : notUnderstoodReply(t);
    }
  }
}

/** "Done: I will reply in …", said in the chosen language (as the chat would). */
function i18nIn(t: Translate, lang: string): string {
  return t("common:language.changed", { lng: lang });
}

/** Runs `ask` (arguments parsed by ./commands.ts). */
export async function runAsk(io: CliIO, args: { json: boolean; text?: string }): Promise<number> {
  const opening = openConfiguredDatabase(io.config.database).then(
    (db) => db.close(),
    (error: unknown) => void io.stderr.write(`warning: could not open the database (${error instanceof Error ? error.message : String(error)}); answering anyway\n`),
  );
  const kb = loadKnowledgeBase(faqDir(io.config.contentDir));
  const understander = createContentUnderstander(io.config.contentDir, kb);
  const i18n = createI18n();
  const print = (text: string) => {
    const result = ask(kb, understander, i18n, text);
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
