/**
 * The `seller-bot ask` contract (shared/design.md), run as a real process on a temp SQLite file.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "faq-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], stdin?: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/seller-bot.js", "ask", ...args], {
      env: { ...process.env, DATABASE_URL: `file:${join(dir, "ask.db")}`, LOG_LEVEL: "silent", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

const KEYS = ["text", "lang", "intent", "entities", "topic", "score", "answer", "suggestions"];

describe("seller-bot ask --json", () => {
  it("answers TEXT with one JSON object in the contract's shape, on a migrated database", async () => {
    const { code, stdout, stderr } = await run(["--json", "account register karne ke liye kya documents chahiye?"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(Object.keys(result)).toEqual(KEYS);
    expect(result).toMatchObject({ text: "account register karne ke liye kya documents chahiye?", lang: "ur-Latn", intent: "faq", entities: {}, topic: "required-documents" });
    expect(result.score).toBeGreaterThan(0);
    expect(result.score).toBeLessThanOrEqual(1);
    expect(result.answer).toMatch(/CNIC/);
    expect(Array.isArray(result.suggestions)).toBe(true);
    expect(existsSync(join(dir, "ask.db"))).toBe(true);
  });

  it("reads one question per line from stdin and writes one JSON line each", async () => {
    const input = ["what documents do I need", "سیلر اکاؤنٹ کیسے بنائیں؟", "who won the cricket match yesterday", "", "😀"].join("\n") + "\n";
    const { code, stdout } = await run(["--json"], input);
    expect(code).toBe(0);
    const results = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(results).toHaveLength(5);
    for (const r of results) expect(Object.keys(r)).toEqual(KEYS);
    expect(results[0]).toMatchObject({ lang: "en", intent: "faq", topic: "required-documents" });
    expect(results[1]).toMatchObject({ lang: "ur", intent: "faq", topic: "register-account" });
    expect(results[2]).toMatchObject({ lang: "en", intent: "none", entities: {}, topic: null });
    expect(results[2].suggestions).toEqual(["find-partner", "talk-to-human"]);
    expect(results[3]).toMatchObject({ text: "", intent: "none", topic: null, score: 0 });
    expect(results[4]).toMatchObject({ intent: "ack", topic: null }); // an emoji smile acknowledges
  });

  it("prints intent and entities as shared/intents.md says, judged as a fresh user", async () => {
    const input = [
      "sialkot me partner",
      "AoA bhai fees kitni hai",
      "mera partner kaun hai",
      "مجھے پارٹنر چاہیے",
      "pehla order mil gaya",
      "maine baara products list kar diye",
      "shukriya",
      "mera order band ho gaya",
      "STOP",
      "urdu mein likho",
      "nahi aa sakta",
    ].join("\n");
    const { code, stdout } = await run(["--json"], `${input}\n`);
    expect(code).toBe(0);
    const results = stdout.trim().split("\n").map((l) => JSON.parse(l));
    const got = results.map((r) => [r.intent, r.entities, r.topic]);
    expect(got).toEqual([
      ["partner.find", { place: "Sialkot" }, "find-partner"],
      ["faq", {}, "membership-fees"],
      ["partner.mine", {}, null],
      ["partner.find", {}, "find-partner"],
      ["progress.report", { stage: "first-order" }, "listing-progress"],
      ["progress.report", { count: 12 }, "listing-progress"],
      ["thanks", {}, null],
      ["none", {}, null],
      ["optout", {}, "unsubscribe"],
      ["language", { lang: "ur" }, "change-language"],
      ["events.rsvp", { rsvp: "no" }, "event-rsvp"],
    ]);
    expect(results[4].lang).toBe("ur-Latn");
    expect(results[6].answer).not.toMatch(/could not find/);
    expect(results[7].answer).not.toMatch(/START/); // a complaint never answers as an opt-out
  });

  it("prints the answer as text without --json", async () => {
    const { code, stdout } = await run(["how", "long", "does", "verification", "take"]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/^\{/);
    expect(stdout.trim().length).toBeGreaterThan(40);
  });

  it("stops with one line naming the file and field of a bad content file", async () => {
    const content = join(dir, "content");
    mkdirSync(join(content, "faq"), { recursive: true });
    writeFileSync(join(content, "faq", "fees.json"), JSON.stringify({ id: "fees", route: null, answer: { en: "x", ur: "y" }, examples: { en: [], ur: [], "ur-Latn": [] } }));
    const { code, stdout, stderr } = await run(["--json", "fees"], undefined, { CONTENT_DIR: content });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/fees\.json: answer\.ur-Latn/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects an unknown option with exit code 2", async () => {
    const { code, stderr } = await run(["--jsn", "fees"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--jsn'/);
  });
});
