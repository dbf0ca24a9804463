/**
 * The index cache (index-cache.ts): a start with unchanged content reads the index from a file
 * and answers exactly as a freshly built one; an edited file gives a new key, so the edit takes
 * effect at the next start; a damaged cache file or a folder that cannot be written costs only
 * a build. Uses a copy of the real content in a temporary folder.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cachedContent, cachedIndex, indexFile, indexKey } from "../../src/features/faq/index-cache.ts";
import { loadFaqContent, loadKnowledgeBase } from "../../src/features/faq/knowledge.ts";
import { buildMatcherIndex } from "../../src/features/faq/matcher.ts";
import { LANGS } from "../../src/core/types.ts";
import type { ClassifierState } from "../../src/features/faq/classifier.ts";

const questions = ["account register karne ke liye kya documents chahiye?", "تصدیق میں کتنے دن لگتے ہیں", "how much is the membership fee", "aaj mausam kaisa hai"];

let content: string;
let cache: string;
beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), "faq-cache-"));
  content = join(root, "content");
  for (const dir of ["faq", "lexicon", "faq-negatives"]) cpSync(resolve("content", dir), join(content, dir), { recursive: true });
  cache = join(root, "cache");
});

describe("the index cache", () => {
  it("is written on the first start and read on the next, with the same answers as a fresh build", () => {
    const first = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: cache });
    expect(first.indexOrigin).toBe("built");
    expect(readdirSync(cache).filter((f) => f.startsWith("index-") && f.endsWith(".bin"))).toHaveLength(1);
    const second = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: cache });
    expect(second.indexOrigin).toBe("cache");
    const fresh = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: null });
    for (const q of questions) {
      expect(second.matcher.match(q)).toEqual(fresh.matcher.match(q));
      expect(second.matcher.rank(q)).toEqual(fresh.matcher.rank(q));
    }
  });

  it("takes a partner's edit at the next start: the edited content has another key and is built again", () => {
    const before = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: cache });
    const question = "zanjeer wali ghari ka kya hisaab hai";
    expect(before.matcher.match(question).topic).not.toBe("samples");
    const file = join(content, "faq", "samples.json");
    const topic = JSON.parse(readFileSync(file, "utf8")) as { examples: Record<string, string[]>; keywords: Record<string, string[]> };
    topic.keywords["ur-Latn"]!.push("zanjeer wali ghari");
    topic.examples["ur-Latn"]!.push("zanjeer wali ghari ka sample kaise bhejun", "zanjeer wali ghari ka hisaab");
    writeFileSync(file, JSON.stringify(topic, null, 2));
    const after = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: cache });
    expect(after.indexOrigin).toBe("built");
    expect(after.matcher.rank(question)[0]?.topic).toBe("samples");
    expect(loadKnowledgeBase(join(content, "faq"), { indexCacheDir: cache }).indexOrigin).toBe("cache");
  });

  it("keys on everything the index is built from", () => {
    const c = loadFaqContent(join(content, "faq"));
    const negatives = LANGS.flatMap((l) => c.negatives[l]);
    const base = { topics: c.topics, lexicon: c.lexicon, negatives };
    const key = indexKey(base);
    expect(indexKey({ ...base })).toBe(key);
    expect(indexKey({ ...base, negatives: negatives.slice(1) })).not.toBe(key);
    expect(indexKey({ ...base, lexicon: c.lexicon.slice(1) })).not.toBe(key);
    expect(indexKey({ ...base, topics: c.topics.slice(1) })).not.toBe(key);
    expect(indexKey({ ...base, classifier: { epochs: 2 } })).not.toBe(key);
  });

  it("builds again over a damaged cache file, and answers", () => {
    const c = loadFaqContent(join(content, "faq"));
    const source = { topics: c.topics, lexicon: c.lexicon, negatives: LANGS.flatMap((l) => c.negatives[l]) };
    const dir = mkdtempSync(join(tmpdir(), "faq-cache-damaged-"));
    const build = () => buildMatcherIndex(c.topics, { lexicon: c.lexicon, negatives: source.negatives });
    writeFileSync(indexFile(dir, indexKey(source)), "not an index");
    expect(cachedIndex(source, build, dir).origin).toBe("built");
    expect(cachedIndex(source, build, dir).origin).toBe("cache");
    writeFileSync(indexFile(dir, indexKey(source)), readFileSync(indexFile(dir, indexKey(source))).subarray(0, 1000)); // cut short
    expect(cachedIndex(source, build, dir).origin).toBe("built");
  });

  it("works without a writable folder (only slower)", () => {
    // A folder inside a file can never be created, whoever runs the test.
    const file = join(mkdtempSync(join(tmpdir(), "faq-cache-unwritable-")), "a-file");
    writeFileSync(file, "");
    const kb = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: join(file, "cache") });
    expect(kb.indexOrigin).toBe("built-uncached");
    expect(kb.matcher.match(questions[2]!).topic).toBe("membership-fees");
  });
});

describe("the content cache", () => {
  it("reads the validated content back while the files are unchanged, and the files again after an edit", () => {
    const dir = mkdtempSync(join(tmpdir(), "faq-content-cache-"));
    const file = join(dir, "data.json");
    writeFileSync(file, JSON.stringify({ n: 1 }));
    let loads = 0;
    const load = () => {
      loads += 1;
      return JSON.parse(readFileSync(file, "utf8")) as { n: number };
    };
    expect(cachedContent([file], load, dir)).toEqual({ n: 1 });
    expect(cachedContent([file], load, dir)).toEqual({ n: 1 });
    expect(loads).toBe(1);
    writeFileSync(file, JSON.stringify({ n: 2 }));
    expect(cachedContent([file], load, dir)).toEqual({ n: 2 });
    expect(loads).toBe(2);
  });

  it("never keeps a bad file: the load's error comes every time", () => {
    const dir = mkdtempSync(join(tmpdir(), "faq-content-cache-"));
    const file = join(dir, "data.json");
    writeFileSync(file, "{ not json");
    const load = () => JSON.parse(readFileSync(file, "utf8")) as unknown;
    expect(() => cachedContent([file], load, dir)).toThrow();
    expect(() => cachedContent([file], load, dir)).toThrow();
  });

  it("a knowledge base from the cached content answers as one read afresh", () => {
    const fresh = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: null });
    loadKnowledgeBase(join(content, "faq"), { indexCacheDir: cache });
    expect(readdirSync(cache).some((f) => f.startsWith("content-"))).toBe(true);
    const cached = loadKnowledgeBase(join(content, "faq"), { indexCacheDir: cache });
    for (const q of questions) expect(cached.matcher.match(q)).toEqual(fresh.matcher.match(q));
    expect([...cached.topics.keys()]).toEqual([...fresh.topics.keys()]);
  });
});

describe("the trained classifier's cache", () => {
  const classifierFiles = (dir: string) => readdirSync(dir).filter((f) => /^classifier-[0-9a-f]+\.bin$/.test(f));

  it("keeps the model over an edit the training does not read (an answer), and trains anew for one it reads (an example)", () => {
    const root = mkdtempSync(join(tmpdir(), "faq-training-cache-"));
    const copy = join(root, "content");
    for (const dir of ["faq", "lexicon", "faq-negatives"]) cpSync(resolve("content", dir), join(copy, dir), { recursive: true });
    const dir = join(root, "cache");
    const faq = join(copy, "faq");
    expect(loadKnowledgeBase(faq, { indexCacheDir: dir }).indexOrigin).toBe("built");
    expect(classifierFiles(dir)).toHaveLength(1);
    const before = readFileSync(join(dir, classifierFiles(dir)[0]!));

    const file = join(faq, "samples.json");
    const topic = JSON.parse(readFileSync(file, "utf8")) as { answer: Record<string, string>; examples: Record<string, string[]> };
    topic.answer.en = `${topic.answer.en} Samples usually arrive within a week.`;
    writeFileSync(file, JSON.stringify(topic, null, 2));
    const edited = loadKnowledgeBase(faq, { indexCacheDir: dir });
    expect(edited.indexOrigin).toBe("built");
    expect(classifierFiles(dir)).toHaveLength(1);
    expect(readFileSync(join(dir, classifierFiles(dir)[0]!)).equals(before)).toBe(true);
    const fresh = loadKnowledgeBase(faq, { indexCacheDir: null });
    for (const q of [...questions, "sample kitne din mein pohanchta hai"]) {
      expect(edited.matcher.match(q)).toEqual(fresh.matcher.match(q));
      expect(edited.matcher.rank(q)).toEqual(fresh.matcher.rank(q));
    }

    topic.examples["ur-Latn"]!.push("sample ka parcel kab tak aata hai");
    writeFileSync(file, JSON.stringify(topic, null, 2));
    expect(loadKnowledgeBase(faq, { indexCacheDir: dir }).indexOrigin).toBe("built");
    expect(classifierFiles(dir)).toHaveLength(2);
  });

  it("returns the cached model for the same training input and trains for another", () => {
    const c = loadFaqContent(resolve("content/faq"));
    const store = new Map<string, ClassifierState>();
    let sets = 0;
    const trainingCache = { get: (k: string) => store.get(k), set: (k: string, s: ClassifierState) => (sets++, store.set(k, s)) };
    const negatives = LANGS.flatMap((l) => c.negatives[l]);
    const a = buildMatcherIndex(c.topics, { lexicon: c.lexicon, negatives, trainingCache });
    const b = buildMatcherIndex(c.topics, { lexicon: c.lexicon, negatives, trainingCache });
    expect(sets).toBe(1);
    expect(b.classifier).toBe(a.classifier);
    expect(buildMatcherIndex(c.topics, { lexicon: c.lexicon, negatives })).toEqual(a);
    buildMatcherIndex(c.topics, { lexicon: c.lexicon, negatives: negatives.slice(1), trainingCache });
    expect(sets).toBe(2);
  });
});
