/**
 * `seller-bot start` serves the dashboard on HTTP_PORT: the real process on the test
 * database with Telegram against the fake Bot API. An admin sends /dashboard on Telegram,
 * gets a link to this process, opens it, sees the overview; SIGTERM stops it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let database: TestDatabase;
let fake: FakeBotApi;
let child: ChildProcess;
let port: number;
let stderr = "";

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await createFakeBotApi();
  port = await freePort();
  child = spawn(process.execPath, ["bin/seller-bot.js", "start"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATABASE_URL: database.url,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      HTTP_PORT: String(port),
      SELLER_BOT_ADMINS: "telegram:4242",
      LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.on("data", (d) => (stderr += d));
  await until("the HTTP server", async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined));
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  await fake?.close();
  await database?.cleanup();
});

describe("seller-bot start", () => {
  it("serves /dashboard on HTTP_PORT: /dashboard on Telegram gives a link to it", async () => {
    fake.pushText("/dashboard", { from: { id: 4242, first_name: "Programme" } });
    const text = await until("the link", async () => fake.textsTo(4242).find((t) => t.includes("/dashboard/login?token=")));
    const url = /http:\/\/127\.0\.0\.1:(\d+)\/dashboard\/login\?token=[A-Za-z0-9_-]{43}/.exec(text);
    expect(url?.[1]).toBe(String(port));
    const login = await fetch(url![0], { redirect: "manual" });
    expect(login.status).toBe(303);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const overview = await fetch(`http://127.0.0.1:${port}/dashboard`, { headers: { cookie } });
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain("Programme team (all sellers)");
    expect((await fetch(`http://127.0.0.1:${port}/dashboard/api/summary`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200); // the other routes still answer
  });

  it("stops on SIGTERM", async () => {
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
