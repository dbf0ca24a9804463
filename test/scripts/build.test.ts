/**
 * scripts/build.mjs: one output file per source with `.ts` imports turned into `.js`, the
 * source's own URL where the code asks for `import.meta.url`, and a folder named by the
 * sources, so an edit gives a new build and never reuses the old one.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build, buildDir, isBuilt, sourceDigest } from "../../scripts/build.mjs";

const root = mkdtempSync(join(tmpdir(), "seller-bot-build-"));
const dist = join(root, "dist");
afterAll(() => rmSync(root, { recursive: true, force: true }));

mkdirSync(join(root, "src/lib"), { recursive: true });
mkdirSync(join(root, "content"), { recursive: true });
writeFileSync(join(root, "content/greeting.txt"), "salam");
writeFileSync(join(root, "src/lib/words.ts"), `export const word: string = "one";\n`);
writeFileSync(
  join(root, "src/main.ts"),
  [
    `import { readFileSync } from "node:fs";`,
    `import { fileURLToPath } from "node:url";`,
    `import { word } from "./lib/words.ts";`,
    `const greeting = readFileSync(fileURLToPath(new URL("../content/greeting.txt", import.meta.url)), "utf8");`,
    `const lazy = await import("./lib/words.ts");`,
    `console.log(JSON.stringify({ word, lazy: lazy.word, greeting, here: fileURLToPath(import.meta.url) }));`,
  ].join("\n"),
);

const run = (dir: string) => JSON.parse(execFileSync(process.execPath, [join(dir, "src/main.js")], { encoding: "utf8" }));

describe("build", () => {
  it("compiles each file; imports, lazy imports and import.meta.url work from the output", async () => {
    const { dir, ms } = await build({ root, dist });
    expect(ms).toBeTypeOf("number");
    expect(isBuilt(dir)).toBe(true);
    expect(readFileSync(join(dir, "src/main.js"), "utf8")).toContain(`from "./lib/words.js"`);
    expect(run(dir)).toEqual({ word: "one", lazy: "one", greeting: "salam", here: join(root, "src/main.ts") });
  });

  it("reuses the build of unchanged sources and makes a new one after an edit", async () => {
    const first = await build({ root, dist });
    expect(first.ms).toBeUndefined();
    writeFileSync(join(root, "src/lib/words.ts"), `export const word: string = "two";\n`);
    expect(isBuilt(buildDir(sourceDigest(["src"], root), dist))).toBe(false);
    const second = await build({ root, dist });
    expect(second.dir).not.toBe(first.dir);
    expect(run(second.dir).word).toBe("two");
    expect(run(first.dir).word).toBe("one");
  });

  it("leaves no folder behind when the sources do not compile", async () => {
    writeFileSync(join(root, "src/broken.ts"), "export const x = ;\n");
    await expect(build({ root, dist })).rejects.toThrow();
    expect(isBuilt(buildDir(sourceDigest(["src"], root), dist))).toBe(false);
    rmSync(join(root, "src/broken.ts"));
  });
});
