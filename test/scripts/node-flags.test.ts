/**
 * The Node flags the bot runs with (scripts/build.mjs NODE_FLAGS, decision 1106) are the
 * ones on every way of starting it, and the bin's first line really gives Node the heap limit.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NODE_FLAGS, ROOT } from "../../scripts/build.mjs";

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

describe("Node flags", () => {
  it("are on the bin's first line, npm start, npm run chat and the Dockerfile's command", () => {
    const flags = NODE_FLAGS.join(" ");
    expect(read("bin/seller-bot.js").split("\n")[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
    expect(scripts.start).toBe(`node ${flags} bin/seller-bot.js start`);
    expect(scripts.chat).toBe(`node ${flags} bin/seller-bot.js chat`);
    expect(read("Dockerfile")).toContain(`CMD ${JSON.stringify(["node", ...NODE_FLAGS, "bin/seller-bot.js", "start"]).replaceAll(",", ", ")}`);
  });

  it("the bin's first line starts Node with the heap limit (env -S splits the flags)", () => {
    const [interpreter, ...args] = read("bin/seller-bot.js").split("\n")[0]!.slice(2).split(" ");
    const limit = Number(execFileSync(interpreter!, [...args, "-e", "console.log(require('node:v8').getHeapStatistics().heap_size_limit)"], { encoding: "utf8" }));
    const mb = Number(/--max-old-space-size=(\d+)/.exec(NODE_FLAGS.join(" "))![1]);
    // The limit is old space plus the young generation: a little above the flag, far below Node's default here.
    expect(limit / 2 ** 20).toBeGreaterThanOrEqual(mb);
    expect(limit / 2 ** 20).toBeLessThan(mb * 1.25);
  });
});
