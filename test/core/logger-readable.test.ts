/** The readable log lines of a terminal: one short line per record, secrets still hidden. */
import { describe, expect, it } from "vitest";
import { createLogger, readableLine } from "../../src/logger.ts";

describe("readable log lines", () => {
  it("turns a pino record into time, level, message, fields and the error's message", () => {
    const line = readableLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 11, 1, 9, 5, 7), pid: 1, hostname: "h", app: "seller-bot", msg: "outbox row failed", rowId: 7, err: { type: "ChannelError", message: "403 Forbidden\nstack…", stack: "at x" } }));
    expect(line).toBe("09:05:07 WARN outbox row failed (rowId=7): ChannelError: 403 Forbidden");
  });

  it("is what createLogger writes when asked for readable lines, at the level asked", () => {
    const lines: string[] = [];
    const sink = { write: (s: string) => void lines.push(s) };
    const token = "123456789:AAHabcdefghijklmnopqrstuvwxyz012345";
    const log = createLogger({ logLevel: "info" }, sink, { readable: true, level: "warn" });
    log.info("not shown");
    log.warn({ url: `https://api.telegram.org/bot${token}/getMe` }, "slow");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN slow \(url=https:\/\/api\.telegram\.org\/bot<token>\/getMe\)\n$/);
    expect(lines[0]).not.toContain("{");
  });

  it("stays JSON for a destination that is not a terminal", () => {
    const lines: string[] = [];
    createLogger({ logLevel: "info" }, { write: (s: string) => void lines.push(s) }).info("hello");
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: "hello" });
  });
});
