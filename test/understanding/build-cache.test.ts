/**
 * The understander's build cache (src/understanding/build-cache.ts): a start with unchanged
 * lexicons reads them and their compiled entries from a file; an edit, a damaged file or a
 * bad lexicon never gives a stale or wrong build.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { faqDir, loadKnowledgeBase } from "../../src/features/faq/knowledge.ts";
import { buildKey, cachedLexicons } from "../../src/understanding/build-cache.ts";
import { LexiconError, loadLexicons, understandingDir } from "../../src/understanding/lexicon.ts";
import { createContentUnderstander, lazyUnderstander, warmInBackground } from "../../src/understanding/wiring.ts";
import type { Understander } from "../../src/core/understanding.ts";

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of content/understanding that a test may edit. */
function lexiconCopy(): string {
  const dir = join(temp("u-lex-"), "understanding");
  cpSync(understandingDir("content"), dir, { recursive: true });
  return dir;
}

const binFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".bin"));

describe("build cache", () => {
  it("validates and writes on the first build, reads the same lexicons on the next", () => {
    const cache = temp("u-cache-");
    const lex = lexiconCopy();
    const first = cachedLexicons(lex, cache);
    expect(first.origin).toBe("validated");
    first.save();
    expect(binFiles(cache)).toHaveLength(1);
    const second = cachedLexicons(lex, cache);
    expect(second.origin).toBe("cache");
    expect(second.lexicons).toEqual(loadLexicons(lex));
  });

  it("an understander from the cache understands as one built afresh", () => {
    const cache = temp("u-cache-");
    const kb = loadKnowledgeBase(faqDir("content"));
    const fresh = createContentUnderstander("content", kb, null);
    createContentUnderstander("content", kb, cache);
    expect(binFiles(cache)).toHaveLength(1);
    const cached = createContentUnderstander("content", kb, cache);
    for (const text of ["sialkot mein partner chahiye", "mujhe messages mat bhejo", "میرا اکاؤنٹ بند ہو گیا", "theek hai", "ok thanks bye", "maine 12 products list kar diye"]) {
      expect(cached.understand(text)).toEqual(fresh.understand(text));
    }
  });

  it("an edited lexicon gets a new key and is validated again", () => {
    const cache = temp("u-cache-");
    const lex = lexiconCopy();
    const before = buildKey(lex);
    cachedLexicons(lex, cache).save();
    const file = join(lex, "small-talk.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.thanks.en.push("cheers mate");
    writeFileSync(file, JSON.stringify(json));
    expect(buildKey(lex)).not.toBe(before);
    const after = cachedLexicons(lex, cache);
    expect(after.origin).toBe("validated");
    expect(after.lexicons["small-talk"].thanks.en).toContain("cheers mate");
  });

  it("a damaged file is rebuilt", () => {
    const cache = temp("u-cache-");
    const lex = lexiconCopy();
    cachedLexicons(lex, cache).save();
    const [bin] = binFiles(cache);
    writeFileSync(join(cache, bin!), "not a build");
    const again = cachedLexicons(lex, cache);
    expect(again.origin).toBe("validated");
    again.save();
    expect(cachedLexicons(lex, cache).origin).toBe("cache");
  });

  it("a bad lexicon file still stops the build with the file and field", () => {
    const cache = temp("u-cache-");
    const lex = lexiconCopy();
    cachedLexicons(lex, cache).save();
    const file = join(lex, "answers.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.yes.ur = "ہاں";
    writeFileSync(file, JSON.stringify(json));
    expect(() => cachedLexicons(lex, cache)).toThrow(LexiconError);
    expect(() => cachedLexicons(lex, cache)).toThrow(/answers\.json: yes\.ur/);
  });

  it("a folder that cannot be written costs only the build", () => {
    const lex = lexiconCopy();
    const notADir = join(temp("u-cache-"), "file");
    writeFileSync(notADir, "x");
    const built = cachedLexicons(lex, notADir);
    expect(() => built.save()).not.toThrow();
    expect(built.lexicons).toEqual(loadLexicons(lex));
  });
});

describe("warming in the background", () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it("builds a lazy understander once, before any message", async () => {
    let builds = 0;
    const real = createContentUnderstander("content", null);
    const lazy = lazyUnderstander(() => {
      builds += 1;
      return real;
    });
    warmInBackground(lazy, () => {});
    expect(builds).toBe(0); // not on the caller's path
    await tick();
    expect(builds).toBe(1);
    lazy.understand("salam");
    expect(builds).toBe(1);
  });

  it("reports a build that fails, and the first message tries again", async () => {
    let attempts = 0;
    const lazy = lazyUnderstander((): Understander => {
      attempts += 1;
      throw new Error("bad lexicon");
    });
    const errors: unknown[] = [];
    warmInBackground(lazy, (error) => errors.push(error));
    await tick();
    expect(errors).toHaveLength(1);
    expect(() => lazy.understand("salam")).toThrow("bad lexicon");
    expect(attempts).toBe(2);
  });
});
