/**
 * `npm run warm` (the end of `npm run setup`, decision 0113): it fills the understanding's
 * caches in the temporary folder, and a start afterwards reads the FAQ index and its trained
 * classifier from them instead of building and training.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadKnowledgeBase } from "../../src/features/faq/knowledge.ts";

const dir = mkdtempSync(join(tmpdir(), "seller-bot-warm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run warm", () => {
  it("fills every cache of the understanding, and the next start reads the FAQ index from it", () => {
    const out = execFileSync(process.execPath, ["scripts/warm.mjs"], { env: { ...process.env, TMPDIR: dir }, encoding: "utf8", timeout: 60_000 });
    expect(out).toMatch(/^understanding caches filled in \d+ ms/);
    const files = (sub: string) => readdirSync(join(dir, sub));
    expect(files("seller-bot-faq").some((f) => /^index-[0-9a-f]+\.bin$/.test(f))).toBe(true);
    expect(files("seller-bot-faq").some((f) => /^classifier-[0-9a-f]+\.bin$/.test(f))).toBe(true);
    expect(files("seller-bot-partners").some((f) => /^gazetteer-/.test(f))).toBe(true);
    expect(files("seller-bot-understanding").some((f) => /^understanding-/.test(f))).toBe(true);
    // What `start` does with the same content and code: the index comes from the file warm wrote.
    const kb = loadKnowledgeBase(resolve("content/faq"), { indexCacheDir: join(dir, "seller-bot-faq") });
    expect(kb.indexOrigin).toBe("cache");
  });
});
