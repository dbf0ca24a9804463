/**
 * The FAQ through the whole app (real database, real i18next, in-memory channel).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const topic = (id: string) => JSON.parse(readFileSync(`content/faq/${id}.json`, "utf8")) as { answer: Record<string, string> };
const faq = (lang: string) => JSON.parse(readFileSync(`locales/${lang}/faq.json`, "utf8")) as Record<string, string>;
const firstLine = (s: string) => s.split("\n")[0]!;

describe("answers in the language written in", () => {
  it("Roman Urdu", async () => {
    const [reply] = await t.send("salam bhai, seller account ke liye kon se kaghzat chahiye?", { id: "rl" });
    expect(reply?.text).toContain(firstLine(topic("required-documents").answer["ur-Latn"]!));
    expect(reply?.text).toMatch(/\n1\. /); // related topics as numbered choices
  });

  it("Urdu script typed with Arabic letters", async () => {
    const [reply] = await t.send("تصديق ميں كتنے دن لگتے هيں؟", { id: "ur" });
    expect(reply?.text).toContain(firstLine(topic("verification").answer.ur!));
  });

  it("English", async () => {
    const [reply] = await t.send("how long does the factory audit take", { id: "en" });
    expect(reply?.text).toContain(firstLine(topic("verification").answer.en!));
  });

  it("the language the user chose, whatever they write in", async () => {
    await t.send("urdu", { id: "chooser" });
    const [reply] = await t.send("how long does the factory audit take", { id: "chooser" });
    expect(reply?.text).toContain(firstLine(topic("verification").answer.ur!));
  });
});

describe("choices", () => {
  it("a related topic picked by number shows its answer", async () => {
    const [answer] = await t.send("how long does the factory audit take", { id: "picker" });
    const first = /\n1\. (.+)/.exec(answer!.text)?.[1];
    expect(first).toBeTruthy();
    const [reply] = await t.send("1", { id: "picker" });
    expect(reply?.text.length).toBeGreaterThan(40);
    expect(reply?.text).not.toContain(faq("en").unknownTopic);
  });

  it("faq:topic:<id> shows that answer; unknown or malformed ids get a polite reply", async () => {
    const [samples] = await t.send({ kind: "choice", data: "faq:topic:samples" }, { id: "chooser2" });
    expect(samples?.text).toContain(firstLine(topic("samples").answer.en!));
    const [unknown] = await t.send({ kind: "choice", data: "faq:topic:no-such-topic" }, { id: "chooser2" });
    expect(unknown?.text).toBe(faq("en").unknownTopic);
    const [bad] = await t.send({ kind: "choice", data: "faq:topic:../../etc" }, { id: "chooser2" });
    expect(bad?.text).toBe(faq("en").unknownTopic);
  });
});

describe("unsure and nothing", () => {
  it("asks 'did you mean' with up to three topics for one common word", async () => {
    const [reply] = await t.send("account", { id: "unsure" });
    expect(reply?.text).toContain(faq("en").didYouMean);
    const numbered = reply!.text.match(/^\d\. /gm) ?? [];
    expect(numbered.length).toBeGreaterThanOrEqual(2);
    expect(numbered.length).toBeLessThanOrEqual(3);
  });

  it("says it did not understand, in the user's language, and offers the menu, the partner finder or a person", async () => {
    const [reply] = await t.send("biryani banane ki recipe batao yaar", { id: "nothing" });
    const common = JSON.parse(readFileSync("locales/ur-Latn/common.json", "utf8")) as { notUnderstood: string; menu: { open: string } };
    expect(reply?.text).toContain(common.notUnderstood);
    expect(reply?.text).toContain(`1. ${common.menu.open}`);
    expect(reply?.text).toContain(faq("ur-Latn").findPartner);
    expect(reply?.text).toContain(faq("ur-Latn").talkToHuman);
    const [next] = await t.send("3", { id: "nothing" }); // talk to a person: handed over or the KB answer
    expect(next?.text.length).toBeGreaterThan(20);
    expect(next?.text).not.toContain(faq("ur-Latn").unknownTopic);
  });
});

describe("routing topics", () => {
  it("hands change-language to the settings feature", async () => {
    const [reply] = await t.send("mujhe jawab kisi aur zaban mein chahiye", { id: "router" });
    const common = JSON.parse(readFileSync("locales/ur-Latn/common.json", "utf8")) as { language: { prompt: string } };
    expect(reply?.text).toContain(common.language.prompt); // the settings feature's own menu
    expect(reply?.text).not.toContain(firstLine(topic("change-language").answer["ur-Latn"]!));
  });
});

describe("bad input gets one sensible reply", () => {
  const cases: Array<[string, string]> = [
    ["only emoji", "😀🎉👍"],
    ["only digits", "1234567"],
    ["20,000 characters", "fees kitni hai ".repeat(1400)],
    ["RTL override", "\u202Everification kitne din\u202C"],
    ["zalgo", "f\u0300\u0301\u0302e\u0303\u0304e\u0305s"],
  ];
  for (const [name, text] of cases) {
    it(name, async () => {
      const replies = await t.send(text, { id: `bad-${name}` });
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text.length).toBeGreaterThan(10);
      expect(replies[0]!.text).not.toMatch(/Error|at \w+ \(/);
    });
  }
});
