/**
 * `npm run eval:intents [-- --file eval/intents-dev.jsonl] [--errors] [--examples]`
 *
 * Scores the understanding step on a labelled set (one JSON object a line:
 * {"text","lang","intent","entities","topic"?}, judged as a fresh user with no flow open):
 * intent accuracy overall, per form and per intent; entity accuracy (the entities object
 * matches exactly); the FAQ topic on `faq` lines; false opt-outs (lines that are not `optout`
 * but would unsubscribe at once) and opt-out recall. `--errors` lists every miss (not for a
 * held-out file: read only its totals). `--examples` scores content/understanding's own
 * examples instead (a consistency check: they are what the rules were written from).
 */
import { basename, resolve } from "node:path";
import { z } from "zod";
import { cliArgs, readJsonLines } from "./eval-support.ts";
import { INTENTS, type Understanding } from "../src/core/understanding.ts";
import { LANGS } from "../src/core/types.ts";
import { faqDir, loadKnowledgeBase } from "../src/features/faq/knowledge.ts";
import { loadLexicons, understandingDir } from "../src/understanding/lexicon.ts";
import { createContentUnderstander } from "../src/understanding/wiring.ts";

const entitiesSchema = z
  .object({
    place: z.string().optional(),
    stage: z.string().optional(),
    count: z.number().int().optional(),
    rsvp: z.enum(["going", "maybe", "no"]).optional(),
    lang: z.enum(LANGS as unknown as ["en", "ur", "ur-Latn"]).optional(),
  })
  .strict();
const lineSchema = z.object({
  text: z.string(),
  lang: z.enum(["en", "ur", "ur-Latn"]),
  intent: z.enum(INTENTS),
  entities: entitiesSchema,
  topic: z.string().nullable().optional(),
});
type Item = z.infer<typeof lineSchema>;

const { flag, option } = cliArgs();
const contentDir = option("--content") ?? "content";

const readItems = (file: string): Item[] => readJsonLines(file, lineSchema);

/** The content's own examples as labelled lines (entities not labelled: not scored). */
function exampleItems(): Item[] {
  const lx = loadLexicons(understandingDir(contentDir));
  const out: Item[] = [];
  for (const [intent, spec] of Object.entries(lx.intents.intents)) {
    for (const lang of LANGS) for (const text of spec.examples[lang]) out.push({ text, lang, intent: intent as Item["intent"], entities: {} });
  }
  return out;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "-");
const sameEntities = (a: object, b: object) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

const kb = loadKnowledgeBase(faqDir(contentDir));
const understander = createContentUnderstander(contentDir, kb);
const file = resolve(option("--file") ?? "eval/intents-dev.jsonl");
const useExamples = flag("--examples");
const items = useExamples ? exampleItems() : readItems(file);
const heldOut = !useExamples && /holdout/i.test(basename(file));
if (flag("--errors") && heldOut) {
  console.error("--errors is for the dev set: read only the totals of a held-out file.");
  process.exit(2);
}

interface Outcome {
  item: Item;
  u: Understanding;
  intentOk: boolean;
  entitiesOk: boolean;
}
const outcomes: Outcome[] = items.map((item) => {
  const u = understander.understand(item.text);
  // The content's examples carry no entity labels: only their intents are scored.
  return { item, u, intentOk: u.intent === item.intent, entitiesOk: useExamples || sameEntities(u.entities, item.entities) };
});

const count = (list: Outcome[], f: (o: Outcome) => boolean) => list.filter(f).length;
console.log(`${useExamples ? "content/understanding examples (intents only: no entity labels)" : basename(file)}: ${outcomes.length} lines`);
console.log("");
console.log("| form | n | intent | entities | both |");
console.log("| --- | --- | --- | --- | --- |");
for (const lang of LANGS) {
  const rows = outcomes.filter((o) => o.item.lang === lang);
  console.log(`| ${lang} | ${rows.length} | ${pct(count(rows, (o) => o.intentOk), rows.length)} | ${pct(count(rows, (o) => o.entitiesOk), rows.length)} | ${pct(count(rows, (o) => o.intentOk && o.entitiesOk), rows.length)} |`);
}
console.log(
  `| overall | ${outcomes.length} | ${pct(count(outcomes, (o) => o.intentOk), outcomes.length)} | ${pct(count(outcomes, (o) => o.entitiesOk), outcomes.length)} | ${pct(count(outcomes, (o) => o.intentOk && o.entitiesOk), outcomes.length)} |`,
);
console.log("");
console.log("| intent | n | accuracy | predicted as this, wrongly |");
console.log("| --- | --- | --- | --- |");
for (const intent of INTENTS) {
  const rows = outcomes.filter((o) => o.item.intent === intent);
  const wrongly = count(outcomes, (o) => o.u.intent === intent && !o.intentOk);
  if (rows.length === 0 && wrongly === 0) continue;
  console.log(`| ${intent} | ${rows.length} | ${pct(count(rows, (o) => o.intentOk), rows.length)} | ${wrongly} |`);
}
const withEntities = outcomes.filter((o) => Object.keys(o.item.entities).length > 0 || Object.keys(o.u.entities).length > 0);
console.log("");
console.log(`Entities exact on lines where either side has some: ${count(withEntities, (o) => o.entitiesOk)}/${withEntities.length} = ${pct(count(withEntities, (o) => o.entitiesOk), withEntities.length)}`);
const faqLines = outcomes.filter((o) => o.item.intent === "faq" && o.item.topic);
console.log(`FAQ topic on faq lines: ${count(faqLines, (o) => o.u.intent === "faq" && o.u.faq?.topic === o.item.topic)}/${faqLines.length} = ${pct(count(faqLines, (o) => o.u.intent === "faq" && o.u.faq?.topic === o.item.topic), faqLines.length)}`);
const notOptOut = outcomes.filter((o) => o.item.intent !== "optout");
const falseOptOuts = notOptOut.filter((o) => o.u.intent === "optout" && o.u.optOut !== "maybe");
const askedFirst = notOptOut.filter((o) => o.u.intent === "optout" && o.u.optOut === "maybe");
const optOuts = outcomes.filter((o) => o.item.intent === "optout");
console.log(`False opt-outs (would unsubscribe at once): ${falseOptOuts.length}; would only ask "stop announcements?": ${askedFirst.length}`);
console.log(
  `Opt-out recall: ${count(optOuts, (o) => o.u.intent === "optout")}/${optOuts.length} = ${pct(count(optOuts, (o) => o.u.intent === "optout"), optOuts.length)} (at once ${count(optOuts, (o) => o.u.intent === "optout" && o.u.optOut !== "maybe")}, asking first ${count(optOuts, (o) => o.u.optOut === "maybe")})`,
);

if (flag("--errors")) {
  console.log("\nMisses (expected → got, reason):");
  for (const o of outcomes) {
    const topicMiss = o.item.intent === "faq" && o.item.topic && o.u.faq?.topic !== o.item.topic;
    if (o.intentOk && o.entitiesOk && !topicMiss) continue;
    const want = `${o.item.intent}${o.item.topic ? `/${o.item.topic}` : ""} ${JSON.stringify(o.item.entities)}`;
    const got = `${o.u.intent}${o.u.intent === "faq" ? `/${o.u.faq?.topic ?? "?"}` : ""}${o.u.optOut ? `(${o.u.optOut})` : ""} ${JSON.stringify(o.u.entities)}`;
    console.log(`[${o.item.lang}] ${JSON.stringify(o.item.text)}\n    ${want} → ${got}  (${o.u.reason})`);
  }
}
