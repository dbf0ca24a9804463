/**
 * The README's promise: `printf 'hello\nمدد\n' | npx seller-bot chat` answers in English and Urdu.
 * Runs the real command in a child process on a fresh embedded database.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "seller-bot-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, "bot.db")}`, LOG_LEVEL: "warn" };

describe("seller-bot chat (piped)", () => {
  it("answers each line and exits at end of input", () => {
    const out = execFileSync("node", ["bin/seller-bot.js", "chat"], { input: "hello\nمدد\n", env, encoding: "utf8", timeout: 60_000 });
    expect(out).toMatch(/Assalam-o-Alaikum/);
    expect(out).toMatch(/السلام علیکم/);
  });

  it("keeps state between runs on the same database (language choice)", () => {
    execFileSync("node", ["bin/seller-bot.js", "chat"], { input: "language\n3\n", env, encoding: "utf8", timeout: 60_000 });
    const out = execFileSync("node", ["bin/seller-bot.js", "chat"], { input: "hello\n", env, encoding: "utf8", timeout: 60_000 });
    expect(out).toMatch(/Main exporters ko/);
  });

  it("stops with field errors on a bad configuration, no stack trace", () => {
    const r = spawnSync("node", ["bin/seller-bot.js", "chat"], { input: "", env: { ...env, DATABASE_URL: "mysql://nope", HTTP_PORT: "x" }, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/DATABASE_URL: expected/);
    expect(r.stderr).toMatch(/HTTP_PORT/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("start with no channel configured says so and opens the local chat", () => {
    const r = spawnSync("node", ["bin/seller-bot.js", "start"], { input: "hello\n", env, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/No channel configured/);
    expect(r.stdout).toMatch(/Assalam-o-Alaikum/);
  });

  it("prints usage for an unknown command", () => {
    const r = spawnSync("node", ["bin/seller-bot.js", "frobnicate"], { env, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(r.stderr).toMatch(/seller-bot --help/);
  });
});
