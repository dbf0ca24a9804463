/**
 * `seller-bot start` (in this process) when it cannot start: it exits with a code a
 * supervisor can act on (78 configuration, 69 unavailable) and leaves nothing listening;
 * `/health` never shows internal error text and listens on loopback unless told otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../src/http/server.ts";
import { runCliInProcess } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { createFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { freePort } from "../support/tcp-proxy.ts";

let database: TestDatabase;
let fake: FakeBotApi;
beforeAll(async () => {
  database = await createTestDatabase();
  fake = await createFakeBotApi();
});
afterAll(async () => {
  await fake.close();
  await database.cleanup();
});

/** True when something accepts connections on the port. */
async function listening(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
  return res !== undefined;
}

describe("seller-bot start that cannot start", () => {
  it("exits 78 with one line when Telegram rejects the token, and stops listening", async () => {
    const port = await freePort();
    fake.failNext({ method: "getMe", failure: { error_code: 401, description: "Unauthorized" } });
    const { code, stderr } = await runCliInProcess(database.url, ["start"], { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, HTTP_PORT: String(port), JOBS_ENABLED: "false" });
    expect(code).toBe(78);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/TELEGRAM_BOT_TOKEN/);
    expect(await listening(port)).toBe(false);
  });

  it("exits 69 when the Bot API cannot be reached, and /health meanwhile shows no internal error", async () => {
    const port = await freePort();
    const nowhere = await freePort();
    const bodies: string[] = [];
    const running = runCliInProcess(database.url, ["start"], {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: `http://127.0.0.1:${nowhere}`,
      TELEGRAM_START_TIMEOUT_MS: "1500",
      HTTP_PORT: String(port),
      JOBS_ENABLED: "false",
    });
    let done = false;
    void running.finally(() => (done = true));
    while (!done) {
      const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (res) bodies.push(`${res.status} ${await res.text()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { code, stderr } = await running;
    expect(code).toBe(69);
    expect(stderr).toMatch(/could not reach the Telegram Bot API/);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      expect(body).toMatch(/^503 /);
      expect(body).not.toMatch(/Error|error|at \w+/);
    }
    expect(await listening(port)).toBe(false);
  });
});

describe("/health", () => {
  it("listens on 127.0.0.1 unless another address is given", async () => {
    const http = createHttpServer(async () => ({ ok: true }));
    await http.listen(0);
    try {
      expect((http.server.address() as { address: string }).address).toBe("127.0.0.1");
    } finally {
      await http.close();
    }
  });

  it("refuses a declared body over 1 MB on any route with 413, before the route runs", async () => {
    const http = createHttpServer(async () => ({ ok: true }));
    let reached = false;
    http.route((_req, res) => {
      reached = true;
      res.writeHead(200).end();
      return true;
    });
    const port = await http.listen(0);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/any`, { method: "POST", body: Buffer.alloc(1024 * 1024 + 1, 120) }).catch(() => undefined);
      expect(res?.status).toBe(413);
      expect(reached).toBe(false);
    } finally {
      await http.close();
    }
  });

  it("answers 503 without the error's text when the check throws", async () => {
    const http = createHttpServer(async () => {
      throw new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
    });
    const port = await http.listen(0);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('{"ok":false}');
    } finally {
      await http.close();
    }
  });
});
