import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { createHttpServer } from "../../src/http/server.ts";

function capture(level: "info" | "debug") {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
  return { log: createLogger({ logLevel: level }, stream), lines };
}

describe("logging", () => {
  it("redacts message texts and phone numbers at info level", () => {
    const { log, lines } = capture("info");
    log.info({ text: "my CNIC is 35202-1234567-1", phone: "+923001234567", message: { text: "secret" }, userId: 7 }, "handled");
    const out = lines.join("");
    expect(out).not.toMatch(/35202|923001234567|secret/);
    expect(out).toMatch(/"userId":7/);
  });

  it("shows them at debug level, for troubleshooting", () => {
    const { log, lines } = capture("debug");
    log.debug({ text: "documents kya chahiye" }, "inbound");
    expect(lines.join("")).toMatch(/documents kya chahiye/);
  });
});

describe("http server", () => {
  it("serves /health as JSON and 404 elsewhere", async () => {
    const http = createHttpServer(async () => ({ ok: true, channels: ["telegram"] }));
    const port = await http.listen(0, "127.0.0.1");
    try {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, channels: ["telegram"] });
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    } finally {
      await http.close();
    }
  });

  it("answers 503 when the health check fails", async () => {
    const http = createHttpServer(async () => {
      throw new Error("database down");
    });
    const port = await http.listen(0, "127.0.0.1");
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(503);
    } finally {
      await http.close();
    }
  });
});
