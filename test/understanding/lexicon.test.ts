/**
 * The lexicons of content/understanding/ are content a partner edits: a bad file must stop
 * the load with one error naming the file and the field.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadGazetteer } from "../../src/features/partners/gazetteer.ts";
import { createUnderstander, LEXICON_FILES, LexiconError, loadLexicons, understandingDir } from "../../src/understanding/index.ts";

const NO_FAQ = { match: () => ({ topic: null, score: 0, decision: "none" as const, ranked: [] }) };
const STAGES = [{ id: "first-order", phrases: ["first order"] }, { id: "account", phrases: [] }, { id: "documents", phrases: [] }, { id: "verified", phrases: [] }, { id: "storefront", phrases: [] }, { id: "first-product", phrases: [] }, { id: "first-inquiry", phrases: [] }];

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A copy of the committed lexicons with one file changed. */
function copyWith(file: string, change: (json: Record<string, any>) => void): string {
  dir = mkdtempSync(join(tmpdir(), "lexicons-"));
  cpSync(understandingDir("content"), dir, { recursive: true });
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, "utf8"));
  change(json);
  writeFileSync(path, JSON.stringify(json));
  return dir;
}

describe("lexicon files", () => {
  it("loads every committed file", () => {
    const lx = loadLexicons(understandingDir("content"));
    expect(Object.keys(lx).sort()).toEqual([...LEXICON_FILES].sort());
  });

  it("names the file and the field of a bad entry", () => {
    const bad = copyWith("answers.json", (j) => (j.yes.ur = "ہاں"));
    expect(() => loadLexicons(bad)).toThrow(LexiconError);
    expect(() => loadLexicons(bad)).toThrow(/answers\.json: yes\.ur: /);
  });

  it("refuses an unknown intent and an unknown field", () => {
    expect(() => loadLexicons(copyWith("intents.json", (j) => (j.intents["partner.finder"] = j.intents["partner.find"])))).toThrow(/intents\.json: intents: .*partner\.finder/);
    expect(() => loadLexicons(copyWith("small-talk.json", (j) => (j.greetings = j.greeting)))).toThrow(/small-talk\.json: .*greetings/);
  });

  it("names the cue that refers to an unknown word class", () => {
    const lexicons = loadLexicons(copyWith("intents.json", (j) => j.intents.human.cues.push("@talk @robot")));
    expect(() => createUnderstander({ lexicons, places: loadGazetteer(), faq: NO_FAQ, stages: STAGES })).toThrow(/intents\.json: intents\.human\.cues\[\d+\]: unknown word class @robot/);
  });

  it("names an opt-out frame class that is not a word class, and refuses a file without the frame", () => {
    const lexicons = loadLexicons(copyWith("opt-out.json", (j) => j.frameClasses.push("robots")));
    expect(() => createUnderstander({ lexicons, places: loadGazetteer(), faq: NO_FAQ, stages: STAGES })).toThrow(/opt-out\.json: frameClasses\[\d+\]: unknown word class robots/);
    expect(() => loadLexicons(copyWith("opt-out.json", (j) => delete j.frameAround))).toThrow(/opt-out\.json: .*frameAround/);
  });

  it("refuses a stage id that content/progress/stages.json does not have", () => {
    const lexicons = loadLexicons(copyWith("progress.json", (j) => (j.stages["second-order"] = j.stages["first-order"])));
    expect(() => createUnderstander({ lexicons, places: loadGazetteer(), faq: NO_FAQ, stages: STAGES })).toThrow(/progress\.json: stages\.second-order: not a stage id/);
  });

  it("works without an FAQ: questions are none, the rest still understood", () => {
    const u = createUnderstander({ lexicons: loadLexicons(understandingDir("content")), places: loadGazetteer(), faq: NO_FAQ, stages: STAGES });
    expect(u.understand("fees kitni hai").intent).toBe("none");
    expect(u.understand("STOP").intent).toBe("optout");
    expect(u.understand("sialkot me partner")).toMatchObject({ intent: "partner.find", entities: { place: "Sialkot" } });
  });
});

describe("lexicon entries", () => {
  it("refuses a blank entry, naming where it is", () => {
    const bad = copyWith("small-talk.json", (j) => j.thanks["ur-Latn"].push("  "));
    expect(() => loadLexicons(bad)).toThrow(/small-talk\.json: thanks\.ur-Latn\.\d+: blank entry/);
  });
});
