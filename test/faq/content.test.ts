/**
 * The knowledge base in content/faq: every required topic has a file with all three answers
 * and at least 8 example questions, and the loader rejects bad files naming file and field.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { danglingRelated, FaqContentError, loadFaqTopics, loadNegatives, parseTopicFile } from "../../src/features/faq/content.ts";
import { REQUIRED_TOPIC_IDS, ROUTING_TOPIC_IDS } from "../../src/features/faq/topics.ts";
import { LANGS } from "../../src/core/types.ts";

const DIR = resolve("content/faq");

describe("content/faq", () => {
  const topics = loadFaqTopics(DIR);
  const byId = new Map(topics.map((t) => [t.id, t]));

  for (const id of REQUIRED_TOPIC_IDS) {
    it(`${id} has all three answers and at least 8 examples`, () => {
      const topic = byId.get(id);
      expect(topic, `content/faq/${id}.json is missing`).toBeDefined();
      for (const lang of LANGS) expect(topic!.answer[lang].trim().length, `${id} answer.${lang}`).toBeGreaterThan(20);
      const examples = LANGS.reduce((n, lang) => n + topic!.examples[lang].length, 0);
      expect(examples).toBeGreaterThanOrEqual(8);
      for (const lang of LANGS) expect(topic!.examples[lang].length, `${id} examples.${lang}`).toBeGreaterThan(0);
    });
  }

  it("routing topics name themselves as route, the others have none", () => {
    for (const topic of topics) {
      const routing = (ROUTING_TOPIC_IDS as readonly string[]).includes(topic.id);
      expect(topic.route, topic.id).toBe(routing ? topic.id : null);
    }
  });

  it("has related ids that exist", () => {
    expect(danglingRelated(DIR)).toEqual([]);
  });

  it("writes Urdu answers in Urdu script and Roman Urdu ones in Latin letters", () => {
    for (const topic of topics) {
      expect(topic.answer.ur, topic.id).toMatch(/[\u0600-\u06FF]{3}/);
      // Mostly Latin: a language menu may still name "اردو" in its own script.
      const urdu = topic.answer["ur-Latn"].match(/[\u0600-\u06FF]/g)?.length ?? 0;
      expect(urdu, topic.id).toBeLessThan(topic.answer["ur-Latn"].length / 10);
    }
  });
});

describe("loader", () => {
  const valid = {
    id: "sample-topic",
    route: null,
    answer: { en: "An answer.", ur: "ایک جواب۔", "ur-Latn": "Ek jawab." },
    examples: { en: ["a question"], ur: ["ایک سوال"], "ur-Latn": ["ek sawal"] },
    keywords: { en: [], ur: [], "ur-Latn": [] },
    related: [],
  };
  const file = (content: unknown, name = "sample-topic.json") => {
    const dir = mkdtempSync(join(tmpdir(), "faq-"));
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
    return dir;
  };
  const errorOf = (dir: string) => {
    try {
      loadFaqTopics(dir);
    } catch (error) {
      return error as FaqContentError;
    }
    throw new Error("expected a FaqContentError");
  };

  it("loads a valid file", () => {
    expect(loadFaqTopics(file(valid))).toHaveLength(1);
  });

  it("names the file and the field of a missing answer", () => {
    const { ur: _ur, ...answer } = valid.answer;
    const error = errorOf(file({ ...valid, answer }));
    expect(error).toBeInstanceOf(FaqContentError);
    expect(error.message).toMatch(/sample-topic\.json/);
    expect(error.field).toBe("answer.ur");
  });

  it("rejects an empty example, an unknown field, bad JSON, a wrong id and a foreign route", () => {
    expect(errorOf(file({ ...valid, examples: { ...valid.examples, en: ["  "] } })).field).toBe("examples.en.0");
    expect(errorOf(file({ ...valid, extra: 1 })).message).toMatch(/sample-topic\.json: \(root\)|extra/);
    expect(errorOf(file("{ not json")).field).toBe("(file)");
    expect(errorOf(file(valid, "other-name.json")).field).toBe("id");
    expect(errorOf(file({ ...valid, route: "find-partner" })).field).toBe("route");
    expect(errorOf(file({ ...valid, id: "Bad Id" }, "Bad Id.json")).field).toBe("id");
  });

  it("drops related ids that name no topic and reports them", () => {
    const dir = file({ ...valid, related: ["nowhere"] });
    expect(loadFaqTopics(dir)[0]!.related).toEqual([]);
    expect(danglingRelated(dir)).toEqual(["sample-topic → nowhere"]);
  });

  it("treats a missing folder as an empty knowledge base and ignores other files", () => {
    expect(loadFaqTopics(join(tmpdir(), "does-not-exist-faq"))).toEqual([]);
    const dir = file(valid);
    writeFileSync(join(dir, "README.md"), "notes");
    expect(readdirSync(dir)).toHaveLength(2);
    expect(loadFaqTopics(dir)).toHaveLength(1);
  });

  it("parses one file's text on its own", () => {
    expect(parseTopicFile("x/sample-topic.json", JSON.stringify(valid)).id).toBe("sample-topic");
  });
});

describe("content/faq-negatives", () => {
  const negatives = loadNegatives(resolve("content/faq-negatives"));

  it("has many out-of-scope questions in all three forms (they decide the threshold: a narrow set promises a rejection rate unseen questions do not get)", () => {
    for (const lang of LANGS) expect(negatives[lang].length, lang).toBeGreaterThanOrEqual(250);
  });

  it("shares no line with the evaluation set or the knowledge base (it trains the confidence)", () => {
    const norm = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
    const dev = new Set(readFileSync("eval/faq-dev.jsonl", "utf8").split("\n").filter(Boolean).map((l) => norm((JSON.parse(l) as { text: string }).text)));
    const examples = new Set(loadFaqTopics(DIR).flatMap((t) => LANGS.flatMap((l) => t.examples[l])).map(norm));
    for (const lang of LANGS) {
      for (const q of negatives[lang]) {
        expect(dev.has(norm(q)), q).toBe(false);
        expect(examples.has(norm(q)), q).toBe(false);
      }
    }
  });

  it("names the file and field of a bad one; a missing folder is no questions", () => {
    const dir = mkdtempSync(join(tmpdir(), "negatives-"));
    expect(loadNegatives(dir)).toEqual({ en: [], ur: [], "ur-Latn": [] });
    writeFileSync(join(dir, "out-of-scope.json"), JSON.stringify({ en: ["ok"], urdu: [] }));
    expect(() => loadNegatives(dir)).toThrow(/out-of-scope\.json: \(root\): .*urdu/);
    writeFileSync(join(dir, "out-of-scope.json"), JSON.stringify({ en: ["fine", ""] }));
    expect(() => loadNegatives(dir)).toThrow(/out-of-scope\.json: en\.1: must not be empty/);
  });
});
