import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createTestDatabase } from "../support/database.ts";

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

describe("secrets in logs", () => {
  function withToken(level: "info" | "debug", token: string) {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const log = createLogger({ logLevel: level, telegram: { token, apiRoot: "https://api.telegram.org", mode: "polling", ratePerSecond: 25, webhookSecret: "hook-secret-1", startTimeoutMs: 30_000 } }, stream);
    return { log, lines };
  }

  it.each(["info", "debug"] as const)("never writes the configured bot token, however short (%s)", (level) => {
    const { log, lines } = withToken(level, "123:abc");
    log.error({ err: new Error("request to https://api.telegram.org/bot123:abc/getMe failed") }, "telegram failed");
    log.warn({ url: "https://api.telegram.org/bot123%3Aabc/sendMessage", secret: "hook-secret-1" }, "retry");
    const out = lines.join("");
    expect(out).not.toMatch(/123:abc|123%3Aabc|hook-secret-1/);
    expect(out).toMatch(/<token>/);
  });

  it("redacts anything shaped like a bot token, configured or not", () => {
    const { log, lines } = withToken("info", "123:abc");
    log.error({ err: new Error("fetch https://api.telegram.org/bot987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe") }, "boom");
    expect(lines.join("")).not.toMatch(/AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/);
  });
});

describe("database errors in logs", () => {
  it("at info level name the call and the reason, not the seller's city and coordinates Prisma prints", async () => {
    const db = await createTestDatabase();
    try {
      const user = await db.prisma.user.create({ data: {} });
      const error = await db.prisma.sellerProfile
        .upsert({ where: { userId: user.id }, create: { userId: user.id, city: "Daska Kalan", latitude: "32.32" as unknown as number, longitude: 74.35 }, update: {} })
        .then(() => undefined, (e: unknown) => e);
      expect(String((error as Error).message)).toContain("Daska Kalan"); // what Prisma puts in its message
      for (const level of ["info", "debug"] as const) {
        const { log, lines } = capture(level);
        log.error({ err: error, userId: user.id }, "handler failed");
        const out = lines.join("");
        expect(out).toMatch(/upsert\(\)/);
        expect(out).toMatch(/Argument `latitude`/);
        if (level === "info") expect(out).not.toMatch(/Daska Kalan|74\.35|32\.32/);
        else expect(out).toMatch(/Daska Kalan/); // debug keeps everything, for troubleshooting
      }
    } finally {
      await db.cleanup();
    }
  });
});
