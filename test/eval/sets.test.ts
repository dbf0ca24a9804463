/**
 * The evaluation sets in eval/*.jsonl: every line parses, every label names something that
 * exists (intent, FAQ topic, stage, gazetteer town, language), entities sit on the intents
 * that carry them, no text appears twice in or across the files, and each set still covers
 * what eval/README.md promises. A typo in a label fails here instead of silently scoring as
 * a miss. Reads files only: no database.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { REQUIRED_TOPIC_IDS } from "../../src/features/faq/topics.ts";

const EVAL = resolve("eval");
const CONTENT = resolve("content");

/** The intent table of shared/intents.md (copied, like topics.ts copies faq-topics.md). */
const INTENTS = [
  "faq", "partner.find", "partner.mine", "partner.change", "human", "complaint.partner",
  "progress.show", "progress.report", "events.list", "events.rsvp", "events.mine",
  "optout", "optin", "language", "menu", "greeting", "thanks", "ack", "bye", "none",
] as const;
const LANGS = ["en", "ur", "ur-Latn"] as const;

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/** English names of the gazetteer's towns (the value a `place` entity must have). */
function placeNames(): Set<string> {
  const gazetteer = z.object({ places: z.array(z.object({ name: z.string().min(1) })).min(300) });
  return new Set(gazetteer.parse(readJson(join(CONTENT, "partners/gazetteer.json"))).places.map((p) => p.name));
}

/** The name the curated list gives a town: its own `name`, else the GeoNames `match`. */
function curatedNames(): string[] {
  const curated = z.object({ places: z.array(z.object({ match: z.string(), name: z.string().optional() })) });
  return curated.parse(readJson(join(CONTENT, "partners/places-curated.json"))).places.map((p) => p.name ?? p.match);
}

function stageIds(): string[] {
  const stages = z.object({ stages: z.array(z.object({ id: z.string().min(1) })).min(1) });
  return stages.parse(readJson(join(CONTENT, "progress/stages.json"))).stages.map((s) => s.id);
}

const PLACES = placeNames();
const STAGES = stageIds();

const text = z
  .string()
  .min(1)
  .max(2000)
  .refine((t) => t.trim() === t && t.trim().length > 0, "no leading/trailing blanks")
  .refine((t) => !t.includes("\uFFFD") && !t.startsWith("\uFEFF"), "not valid UTF-8 text (replacement character or BOM)");
const lang = z.enum(LANGS);
const place = z.string().refine((p) => PLACES.has(p), { error: (issue) => `"${String(issue.input)}" is not a town of content/partners/gazetteer.json (English name)` });

/** One line of a FAQ set (faq-*.jsonl). */
export const faqLineSchema = z.object({ text, lang, topic: z.enum(REQUIRED_TOPIC_IDS).nullable() }).strict();

/** Which entity keys each intent may carry; `place` may sit on any intent whose text names a town. */
const ENTITY_KEYS: Partial<Record<(typeof INTENTS)[number], string[]>> = {
  "progress.report": ["stage", "count"],
  "events.rsvp": ["rsvp"],
  language: ["lang"],
};

/** One line of an intent set (intents-*.jsonl). */
export const intentLineSchema = z
  .object({
    text,
    lang,
    intent: z.enum(INTENTS),
    entities: z
      .object({
        place: place.optional(),
        stage: z.enum(STAGES as [string, ...string[]]).optional(),
        count: z.number().int().positive().optional(),
        rsvp: z.enum(["going", "maybe", "no"]).optional(),
        lang: lang.optional(),
      })
      .strict(),
    topic: z.enum(REQUIRED_TOPIC_IDS).optional(),
  })
  .strict()
  .superRefine((line, ctx) => {
    if ((line.intent === "faq") !== (line.topic !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["topic"], message: "`topic` is given exactly on faq lines" });
    }
    const allowed = new Set(["place", ...(ENTITY_KEYS[line.intent] ?? [])]);
    for (const key of Object.keys(line.entities)) {
      if (!allowed.has(key)) ctx.addIssue({ code: "custom", path: ["entities", key], message: `${line.intent} carries no ${key}` });
    }
    if (line.intent === "events.rsvp" && !line.entities.rsvp) ctx.addIssue({ code: "custom", path: ["entities", "rsvp"], message: "an RSVP says going, maybe or no" });
    if (line.intent === "progress.report" && !line.entities.stage && line.entities.count === undefined) {
      ctx.addIssue({ code: "custom", path: ["entities"], message: "a progress report names a stage or a count" });
    }
  });

const ARABIC_LETTER = /[\u0600-\u06FF]/;
const LATIN_LETTER = /[A-Za-z]/;

/** The form a text is written in must fit its `lang`: Urdu script for ur, Latin letters (or none: emoji, digits) otherwise. */
function scriptProblem(line: { text: string; lang: string }): string | null {
  if (line.lang === "ur") return ARABIC_LETTER.test(line.text) ? null : "an `ur` line has no Urdu-script letter";
  return LATIN_LETTER.test(line.text) || !ARABIC_LETTER.test(line.text) ? null : `an \`${line.lang}\` line has no Latin letter`;
}

/**
 * The key two texts collide on: case, Unicode form, zero-width and direction marks, Arabic
 * instead of Urdu letters (ي ك ه for ی ک ہ), punctuation and spacing do not make a text new.
 */
export function duplicateKey(raw: string): string {
  const t = raw
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u200B-\u200F\u2060\uFEFF]/g, "")
    .replace(/[\u064A\u0649]/g, "\u06CC")
    .replace(/\u0643/g, "\u06A9")
    .replace(/\u0647/g, "\u06C1");
  const words = t.replace(/[^\p{L}\p{N}\p{M}\s]/gu, " ").split(/\s+/).filter(Boolean).join(" ");
  return words || t.split(/\s+/).filter(Boolean).join(" ");
}

type Parsed = { file: string; line: number; text: string; lang: string; topic?: string | null; intent?: string; entities?: Record<string, unknown> };

/** Parses and validates one file; returns the lines and every problem as "file:line field: message". */
export function checkFile(file: string, content: string): { lines: Parsed[]; problems: string[] } {
  const schema = file.startsWith("faq-") ? faqLineSchema : file.startsWith("intents-") ? intentLineSchema : null;
  if (!schema) return { lines: [], problems: [`${file}: unknown kind of set (expected faq-*.jsonl or intents-*.jsonl)`] };
  const problems: string[] = [];
  const lines: Parsed[] = [];
  if (content.startsWith("\uFEFF")) problems.push(`${file}: starts with a BOM`);
  const rows = content.replace(/^\uFEFF/, "").split("\n");
  if (rows.at(-1) === "") rows.pop();
  rows.forEach((row, i) => {
    const at = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(row);
    } catch {
      problems.push(`${at}: not one JSON object`);
      return;
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`${at} ${issue.path.join(".") || "(line)"}: ${issue.message}`);
      return;
    }
    const script = scriptProblem(result.data);
    if (script) problems.push(`${at} lang: ${script}`);
    lines.push({ file, line: i + 1, ...result.data });
  });
  return { lines, problems };
}

const FILES = readdirSync(EVAL).filter((f) => f.endsWith(".jsonl")).sort();
const checked = new Map(FILES.map((f) => [f, checkFile(f, readFileSync(join(EVAL, f), "utf8"))]));
const linesOf = (file: string) => checked.get(file)?.lines ?? [];

describe("eval/*.jsonl", () => {
  it("has the sets (so none drops out of the checks below unnoticed)", () => {
    expect(FILES).toEqual(
      expect.arrayContaining(["faq-dev.jsonl", "faq-dev2.jsonl", "faq-holdout.jsonl", "intents-dev.jsonl", "intents-dev2.jsonl", "intents-holdout.jsonl", "faq-holdout3.jsonl", "intents-holdout3.jsonl", "intents-holdout5.jsonl", "intents-dev6.jsonl", "intents-holdout6.jsonl", "intents-dev7.jsonl", "intents-holdout7.jsonl", "intents-dev8.jsonl", "intents-holdout8.jsonl", "intents-holdout9.jsonl", "intents-dev9.jsonl", "intents-dev10.jsonl", "intents-holdout10.jsonl", "intents-holdout11.jsonl", "intents-dev11.jsonl"]),
    );
  });

  for (const file of FILES) {
    it(`${file}: every line is valid and labelled with things that exist`, () => {
      const { lines, problems } = checked.get(file)!;
      expect(problems).toEqual([]);
      expect(lines.length).toBeGreaterThan(0);
    });
  }

  it("no text appears twice, within a file or across files", () => {
    const seen = new Map<string, Parsed>();
    const dups: string[] = [];
    for (const file of FILES) {
      for (const line of linesOf(file)) {
        const key = duplicateKey(line.text);
        const first = seen.get(key);
        if (first) dups.push(`${file}:${line.line} repeats ${first.file}:${first.line} (${JSON.stringify(line.text)})`);
        else seen.set(key, line);
      }
    }
    expect(dups).toEqual([]);
  });

  it("the curated town names are gazetteer names (so `place` labels and the parser agree)", () => {
    expect(curatedNames().filter((n) => !PLACES.has(n))).toEqual([]);
  });
});

describe("coverage promised by eval/README.md", () => {
  const count = <T>(items: T[], key: (t: T) => string) => {
    const m = new Map<string, number>();
    for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
    return m;
  };

  it("faq-holdout: ≥ 100 questions per form, every topic ≥ 3 times in every form, ≥ 45 out of scope over the three forms", () => {
    const lines = linesOf("faq-holdout.jsonl");
    const perLang = count(lines.filter((l) => l.topic !== null), (l) => l.lang);
    for (const lang of LANGS) expect(perLang.get(lang) ?? 0, lang).toBeGreaterThanOrEqual(100);
    const perTopic = count(lines.filter((l) => l.topic), (l) => `${l.topic} ${l.lang}`);
    const thin = REQUIRED_TOPIC_IDS.flatMap((t) => LANGS.filter((lang) => (perTopic.get(`${t} ${lang}`) ?? 0) < 3).map((lang) => `${t} ${lang}`));
    expect(thin).toEqual([]);
    const outOfScope = lines.filter((l) => l.topic === null);
    expect(outOfScope.length).toBeGreaterThanOrEqual(45);
    for (const lang of LANGS) expect(outOfScope.filter((l) => l.lang === lang).length, `out of scope, ${lang}`).toBeGreaterThanOrEqual(10);
  });

  it("faq-dev2: ≥ 300 lines, ≥ 90 questions per form, every topic ≥ 3 times in every form, ≥ 40 out of scope (≥ 10 per form)", () => {
    const lines = linesOf("faq-dev2.jsonl");
    expect(lines.length).toBeGreaterThanOrEqual(300);
    const perLang = count(lines.filter((l) => l.topic !== null), (l) => l.lang);
    for (const lang of LANGS) expect(perLang.get(lang) ?? 0, lang).toBeGreaterThanOrEqual(90);
    const perTopic = count(lines.filter((l) => l.topic), (l) => `${l.topic} ${l.lang}`);
    const thin = REQUIRED_TOPIC_IDS.flatMap((t) => LANGS.filter((lang) => (perTopic.get(`${t} ${lang}`) ?? 0) < 3).map((lang) => `${t} ${lang}`));
    expect(thin).toEqual([]);
    const outOfScope = lines.filter((l) => l.topic === null);
    expect(outOfScope.length).toBeGreaterThanOrEqual(40);
    for (const lang of LANGS) expect(outOfScope.filter((l) => l.lang === lang).length, `out of scope, ${lang}`).toBeGreaterThanOrEqual(10);
  });

  for (const [file, min, total] of [["intents-dev.jsonl", 4, 320], ["intents-dev2.jsonl", 4, 400], ["intents-dev3.jsonl", 2, 140], ["intents-holdout.jsonl", 3, 220], ["intents-holdout3.jsonl", 3, 320], ["intents-dev4.jsonl", 1, 200], ["intents-holdout4.jsonl", 4, 330], ["intents-holdout5.jsonl", 4, 400], ["intents-holdout6.jsonl", 4, 400], ["intents-holdout7.jsonl", 4, 400], ["intents-holdout8.jsonl", 4, 400], ["intents-holdout9.jsonl", 4, 450], ["intents-holdout10.jsonl", 5, 500], ["intents-holdout11.jsonl", 5, 540]] as const) {
    it(`${file}: ≥ ${total} lines, every intent ≥ ${min} times in every form`, () => {
      const lines = linesOf(file);
      expect(lines.length).toBeGreaterThanOrEqual(total);
      const per = count(lines, (l) => `${l.intent} ${l.lang}`);
      const thin = INTENTS.flatMap((i) => LANGS.filter((lang) => (per.get(`${i} ${lang}`) ?? 0) < min).map((lang) => `${i} ${lang}`));
      expect(thin).toEqual([]);
    });
  }

  it("intents-dev holds the testers' traps with their labels", () => {
    const byText = new Map(linesOf("intents-dev.jsonl").map((l) => [l.text, l]));
    const traps: Array<[string, string, Record<string, unknown>, string?]> = [
      ["مجھے پارٹنر چاہیے", "partner.find", {}],
      ["voice note", "none", {}],
      ["میرا اکاؤنٹ بند ہو گیا", "none", {}],
      ["mera order band ho gaya", "none", {}],
      ["mera partner kaun hai", "partner.mine", {}],
      ["who is my partner", "partner.mine", {}],
      ["partner", "partner.find", {}],
      ["partner badalna hai", "partner.change", {}],
      ["رجسٹریشن کیسے کروں", "faq", {}, "register-account"],
      ["theek hai", "ack", {}],
      ["bohat acha", "ack", {}],
      ["ok", "ack", {}],
      ["shukriya", "thanks", {}],
      ["Allah Hafiz", "bye", {}],
      ["pehla order mil gaya", "progress.report", { stage: "first-order" }],
      ["aaunga", "events.rsvp", { rsvp: "going" }],
      ["going", "events.rsvp", { rsvp: "going" }],
      ["nahi aa sakta", "events.rsvp", { rsvp: "no" }],
    ];
    const wrong = traps.flatMap(([t, intent, entities, topic]) => {
      const line = byText.get(t);
      const ok = line && line.intent === intent && JSON.stringify(line.entities) === JSON.stringify(entities) && line.topic === topic;
      return ok ? [] : [`${t}: ${line ? `${line.intent} ${JSON.stringify(line.entities)} ${line.topic ?? ""}` : "missing"}`];
    });
    expect(wrong).toEqual([]);
  });
  it("intents-dev2 leans on what is hard: opt-outs and their look-alikes, menu/help, none, combined small talk", () => {
    const lines = linesOf("intents-dev2.jsonl");
    const of = (intent: string) => lines.filter((l) => l.intent === intent);
    const optouts = of("optout");
    expect(optouts.length).toBeGreaterThanOrEqual(30);
    for (const lang of ["ur", "ur-Latn"]) expect(optouts.filter((l) => l.lang === lang).length, `optout ${lang}`).toBeGreaterThanOrEqual(10);
    // "band", "stop", "block", "ruk" in a complaint or a question is not an opt-out (بندہ, a person, is not بند).
    const lookAlikes = lines.filter((l) => l.intent !== "optout" && /\b(band|stop\w*|block\w*|ruk|closed)\b|بند(?![ہه])|رک گیا|معطل/iu.test(l.text));
    expect(lookAlikes.length).toBeGreaterThanOrEqual(15);
    expect(of("menu").length).toBeGreaterThanOrEqual(30);
    expect(of("none").length).toBeGreaterThanOrEqual(60);
    // Small talk run together takes the closing part: "ok thanks bye" is bye, "ok shukriya" thanks.
    const byText = new Map(lines.map((l) => [l.text, l.intent]));
    expect([byText.get("ok thanks bye"), byText.get("ok shukriya"), byText.get("اوکے شکریہ")]).toEqual(["bye", "thanks", "thanks"]);
  });
});

describe("coverage promised by eval/README.md for the third holdouts", () => {
  it("faq-holdout3: ≥ 260 lines, every topic ≥ 2 times in every form, ≥ 50 out of scope (≥ 15 per form)", () => {
    const lines = linesOf("faq-holdout3.jsonl");
    expect(lines.length).toBeGreaterThanOrEqual(260);
    const thin = REQUIRED_TOPIC_IDS.flatMap((t) => LANGS.filter((lang) => lines.filter((l) => l.topic === t && l.lang === lang).length < 2).map((lang) => `${t} ${lang}`));
    expect(thin).toEqual([]);
    const outOfScope = lines.filter((l) => l.topic === null);
    expect(outOfScope.length).toBeGreaterThanOrEqual(50);
    for (const lang of LANGS) expect(outOfScope.filter((l) => l.lang === lang).length, `out of scope, ${lang}`).toBeGreaterThanOrEqual(15);
  });

  it("intents-holdout3: a third in Urdu script, ≥ 45 opt-outs (≥ 15 per form) and ≥ 40 band/stop/block look-alikes that are not", () => {
    const lines = linesOf("intents-holdout3.jsonl");
    expect(lines.filter((l) => l.lang === "ur").length * 3).toBeGreaterThanOrEqual(lines.length);
    const optouts = lines.filter((l) => l.intent === "optout");
    expect(optouts.length).toBeGreaterThanOrEqual(45);
    for (const lang of LANGS) expect(optouts.filter((l) => l.lang === lang).length, `optout ${lang}`).toBeGreaterThanOrEqual(15);
    const lookAlikes = lines.filter((l) => l.intent !== "optout" && /\b(band|stop\w*|block\w*|ruk|closed)\b|بند(?![ہه])|رک گیا|معطل/iu.test(l.text));
    expect(lookAlikes.length).toBeGreaterThanOrEqual(40);
  });
});

describe("the validator itself", () => {
  const line = (o: Record<string, unknown>) => JSON.stringify({ text: "mera partner kaun hai", lang: "ur-Latn", intent: "partner.mine", entities: {}, ...o });
  const problems = (...rows: string[]) => checkFile("intents-x.jsonl", rows.join("\n") + "\n").problems;

  it("accepts a good line", () => {
    expect(problems(line({}), line({ text: "sialkot me partner", intent: "partner.find", entities: { place: "Sialkot" } }))).toEqual([]);
  });

  it.each([
    ["an unknown intent", { intent: "partner.fnd" }],
    ["an unknown topic", { intent: "faq", topic: "membership-fee" }],
    ["a faq line without topic", { intent: "faq" }],
    ["a topic on a non-faq line", { topic: "find-partner" }],
    ["a misspelt town", { intent: "partner.find", entities: { place: "Sailkot" } }],
    ["an unknown stage", { intent: "progress.report", entities: { stage: "first_order" } }],
    ["a count that is not a whole number", { intent: "progress.report", entities: { count: "12" } }],
    ["an unknown entity", { entities: { city: "Lahore" } }],
    ["an entity the intent does not carry", { entities: { rsvp: "going" } }],
    ["an RSVP without its answer", { intent: "events.rsvp", entities: {} }],
    ["an unknown rsvp value", { intent: "events.rsvp", entities: { rsvp: "yes" } }],
    ["an unknown lang", { lang: "ur-Arab" }],
    ["a lang that does not fit the script", { lang: "ur" }],
    ["an extra field", { score: 1 }],
  ])("rejects %s", (_, o) => {
    expect(problems(line(o))).not.toEqual([]);
  });

  it("rejects a FAQ line with a misspelt topic, and one that is not JSON", () => {
    const faq = (topic: unknown) => JSON.stringify({ text: "fees kitni hai", lang: "ur-Latn", topic });
    expect(checkFile("faq-x.jsonl", faq("membership-fees") + "\n" + faq(null) + "\n").problems).toEqual([]);
    expect(checkFile("faq-x.jsonl", faq("membership_fees") + "\n").problems).toHaveLength(1);
    expect(checkFile("faq-x.jsonl", "{text: 'x'}\n").problems).toHaveLength(1);
  });

  it("treats case, zero-width characters, Arabic-keyboard letters and punctuation as the same text", () => {
    expect(duplicateKey("Shuk\u200Briya!")).toBe(duplicateKey("shukriya"));
    expect(duplicateKey("ميرا آرڈر بند هو گيا")).toBe(duplicateKey("میرا آرڈر بند ہو گیا"));
    expect(duplicateKey("?")).not.toBe(duplicateKey("??"));
  });
});
