/**
 * `tsx scripts/understanding-golden.ts [--out file] [--no-cache]`: a stable digest of what the
 * understanding step says about every dev text, to prove a speed change changes no behaviour.
 *
 * Texts: eval/intents-dev*.jsonl and eval/faq-dev*.jsonl (never a holdout), the lexicons' and
 * the FAQ's own examples, each also with a greeting in front, a typo and Arabic-keyboard
 * letters, and bad input (100 KB, emoji only, digits, zero-width characters, mixed scripts).
 * One line per text: the whole Understanding (every field, keys sorted: intent, entities,
 * confidence, the FAQ's topic, decision, score and ranking, the reason …), the FAQ
 * matcher's own answer on the raw text and the gazetteer's (the partners feature asks it
 * directly); then a sha256 of all lines. Town names, misspelt and in sentences, are added for the
 * gazetteer's fuzzy search. Run it before a change,
 * keep the output outside git, and `diff` it with the output after.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cliArgs } from "./eval-support.ts";
import { faqDir, loadKnowledgeBase } from "../src/features/faq/knowledge.ts";
import { loadGazetteer, setGazetteerCacheDir } from "../src/features/partners/gazetteer.ts";
import { loadLexicons, understandingDir } from "../src/understanding/lexicon.ts";
import { createContentUnderstander } from "../src/understanding/wiring.ts";

const { flag, option } = cliArgs();
const noCache = flag("--no-cache");
if (noCache) setGazetteerCacheDir(null);
const kb = loadKnowledgeBase(faqDir("content"), noCache ? { indexCacheDir: null } : {});
const understander = createContentUnderstander("content", kb, noCache ? null : undefined);

/** The golden texts (also used by bench/understand.bench.ts's profile mix). */
function texts(): string[] {
  const base: string[] = [];
  const files = readdirSync("eval")
    .filter((f) => /^(intents|faq)-dev\d*\.jsonl$/.test(f))
    .sort();
  for (const f of files) for (const line of readFileSync(`eval/${f}`, "utf8").split("\n")) if (line.trim()) base.push(JSON.parse(line).text as string);
  for (const spec of Object.values(loadLexicons(understandingDir("content")).intents.intents)) base.push(...spec.examples.en, ...spec.examples.ur, ...spec.examples["ur-Latn"]);
  for (const topic of kb.topics.values()) base.push(...topic.examples.en, ...topic.examples.ur, ...topic.examples["ur-Latn"]);
  const typo = (s: string) => (s.length > 6 ? s.slice(0, 3) + s[4] + s[3] + s.slice(5) : s);
  for (const p of loadGazetteer().places) {
    const drop = p.name.length > 5 ? p.name.slice(0, 2) + p.name.slice(3) : p.name;
    base.push(p.name, typo(p.name.toLowerCase()), `mai ${drop.toLowerCase()} se hun`, `partner in ${p.name.toLowerCase()}x`, ...(p.urdu ? [`میں ${p.urdu} سے ہوں`, p.urdu.slice(0, -1)] : []));
  }
  const out = base.flatMap((q) => [q, `AoA bhai ${q.toLowerCase()}`, typo(q), q.replace(/ی/g, "ي").replace(/ک/g, "ك")]);
  const long = "mujhe sialkot mein partner chahiye aur fees kitni hai ";
  out.push(
    long.repeat(Math.ceil(100_000 / long.length)).slice(0, 100_000),
    "fees kitni hai ".repeat(7000),
    "ا".repeat(100_000),
    "x".repeat(100_000),
    "😀".repeat(30_000),
    "😀🎉👍",
    "👍",
    "🙏🙏",
    "1234567",
    "0",
    "7",
    "99",
    "?",
    "؟",
    "...",
    "",
    "   ",
    "par\u200Btner kahan hai",
    "\u200B\u200C\u200D",
    "accountکیسے بناؤں",
    "ایونٹs kab hain",
    "كيا حال هے",
    "STOP",
    "/start",
    "/stop now",
    "kkkkk",
    "a\u0301\u0302\u0303\u0304\u0305\u0306 zalgo",
    "۱۲ products upload kar diye",
  );
  return out;
}

const stable = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, stable(v)]));
  return value;
};

const gazetteer = loadGazetteer();
const lines: string[] = [];
for (const text of texts()) {
  const u = understander.understand(text);
  const faq = kb.matcher.match(text);
  const place = gazetteer.find(text);
  lines.push(JSON.stringify({ text: text.length > 80 ? `${text.slice(0, 60)}…(${text.length})` : text, u: stable(u), faq: stable(faq), place: place && { name: place.place.name, how: place.how, words: place.words } }));
}
const digest = createHash("sha256").update(lines.join("\n")).digest("hex");
const output = `${lines.join("\n")}\n# ${lines.length} texts, sha256 ${digest}\n`;
const out = option("--out");
if (out) writeFileSync(out, output);
else process.stdout.write(output);
console.error(`${lines.length} texts, sha256 ${digest}${out ? ` → ${out}` : ""}`);
