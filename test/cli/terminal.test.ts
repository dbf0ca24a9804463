/**
 * `seller-bot chat` in a real terminal (tmux), as a person sees it: what you type is shown
 * after the prompt, the reply starts on its own line, long lines wrap at word boundaries
 * within the terminal's width, Urdu lines carry a right-to-left mark, and no JSON log
 * line appears in the chat.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const WIDTH = 60;
const dir = mkdtempSync(join(tmpdir(), "seller-bot-tty-"));
const session = `seller-bot-tty-${process.pid}`;
const raw = join(dir, "pane.raw");
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-J", "-t", session).replace(/\n+$/, "");
const screenLines = () => tmux("capture-pane", "-p", "-t", session).split("\n");

/** Polls the screen until `test` holds (a guard against a hang, not a timing assertion). */
async function waitFor(test: (text: string) => boolean, what: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const text = screen();
    if (test(text)) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the terminal never showed ${what}:\n${screen()}`);
}

beforeAll(() => {
  if (!hasTmux) return;
  // A clean environment: a tmux server started elsewhere would otherwise lend its own.
  const env = ["env", "-i", `PATH=${process.env.PATH}`, `HOME=${dir}`, "TERM=xterm-256color", "LANG=C.UTF-8", `DATABASE_URL=file:${join(dir, "bot.db")}`];
  tmux("new-session", "-d", "-s", session, "-x", String(WIDTH), "-y", "50", "-c", dir, `${env.join(" ")} node ${resolve("bin/seller-bot.js")} chat; sleep 60`);
  tmux("pipe-pane", "-t", session, "-o", `cat >> ${raw}`);
});
afterAll(() => {
  if (hasTmux) spawnSync("tmux", ["kill-session", "-t", session]);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)("chat in a terminal", () => {
  it("shows the prompt and echoes what is typed", async () => {
    await waitFor((s) => /^> ?$/m.test(s), "a prompt");
    tmux("send-keys", "-t", session, "-l", "what documents do I need");
    await waitFor((s) => s.includes("> what documents do I need"), "the typed text after the prompt");
  });

  it("starts the reply on its own line, wraps at words within the width, no JSON logs", async () => {
    tmux("send-keys", "-t", session, "Enter");
    const text = await waitFor((s) => s.includes("Reply with a number."), "the reply");
    const lines = screenLines();
    const asked = lines.findIndex((l) => l === "> what documents do I need");
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(lines[asked + 1]).toMatch(/^Keep these ready/);
    for (const line of lines.slice(asked)) expect(line.length).toBeLessThan(WIDTH);
    // Joined again (-J), the wrapped lines are the reply's own lines: no word was cut.
    expect(text).toMatch(/Proof of business: SECP incorporation certificate\s+\(company\), partnership deed/);
    for (const line of lines.slice(asked + 1)) expect(line).not.toMatch(/\w-$/);
    expect(text).not.toMatch(/"level"|\{"/);
  });

  it("wraps Urdu at words and marks its lines right to left", async () => {
    tmux("send-keys", "-t", session, "-l", "مدد");
    tmux("send-keys", "-t", session, "Enter");
    await waitFor((s) => s.includes("نمبر لکھ کر جواب دیں"), "the Urdu reply");
    const urduLines = screenLines().filter((l) => /[\u0600-\u06ff]/.test(l) && !l.startsWith(">") && !l.includes("Language"));
    expect(urduLines.length).toBeGreaterThan(5);
    const urduWords = (t: string) => t.replace(/[^\u0600-\u06ff]+/g, " ").split(" ").filter(Boolean);
    const texts = readdirSync(resolve("locales/ur")).map((f) => readFileSync(resolve("locales/ur", f), "utf8"));
    const words = new Set(texts.flatMap(urduWords));
    // Every word on screen is a whole word of the Urdu texts (none was split across lines).
    for (const line of urduLines) for (const w of urduWords(line)) expect(words, w).toContain(w);
    const stream = readFileSync(raw, "utf8");
    expect(stream).toContain("\u200fالسلام علیکم");
    expect(stream).toContain("\u200fنمبر لکھ کر جواب دیں");
  });
});
