/**
 * Direct replies: retried on 429 (after retry_after) and on 5xx / network faults, so a
 * user gets the real answer rather than the apology or nothing; paced per chat (a burst,
 * then one a second; slower in groups), checked on a virtual clock.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { createMemoryAdapter } from "../../src/channels/memory/index.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import { loadConfig } from "../../src/config.ts";
import { ChannelError } from "../../src/core/errors.ts";
import { createMessenger, REPLY_POLICIES, type Clock } from "../../src/core/messenger.ts";
import type { Adapter } from "../../src/core/types.ts";
import { createHttpServer, type HttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { createFakeBotApi, failures, type FakeBotApi, type FakeBotApiOptions } from "../support/fake-bot-api.ts";
import { until } from "../telegram/harness.ts";

interface TelegramApp {
  fake: FakeBotApi;
  app: App;
  close(): Promise<void>;
}

/** The whole app on a test database, polling a fake Bot API (with `fakeOptions`' faults). */
async function startTelegramApp(fakeOptions: FakeBotApiOptions = {}): Promise<TelegramApp> {
  const fake = await createFakeBotApi(fakeOptions);
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", LOG_LEVEL: "silent", TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, JOBS_ENABLED: "false" });
  const app = await createApp(config, { database, log: pino({ level: "silent" }) });
  const http: HttpServer = createHttpServer(async () => ({ ok: true }));
  const adapter: Adapter = await createTelegramChannel(app.deps, http);
  app.deps.messenger.register(adapter);
  await adapter.start(app.core.accept);
  return {
    fake,
    app,
    async close() {
      await adapter.stop();
      await app.core.stop();
      await app.close();
      await database.cleanup();
      await fake.close();
    },
  };
}

let fake: FakeBotApi;
let app: App;
let running: TelegramApp | undefined;
beforeAll(async () => {
  running = await startTelegramApp();
  ({ fake, app } = running);
});
afterAll(() => running?.close());

const apology = () => app.deps.i18n.t("en")("common:error.apology");
const subscribedNotice = () => app.deps.i18n.t("en")("broadcasts:consent.subscribed");

describe("replies under platform faults (Telegram)", () => {
  it("a 429 and then a 500 on sendMessage still bring the real answer", async () => {
    const user = { id: 51001, first_name: "Sana" };
    // retry_after 0.2 s (Telegram sends whole seconds; the wait is retry_after × 1000 either
    // way), so the test waits it out in a fifth of the time.
    fake.failNext({ method: "sendMessage", chatId: user.id, failure: failures.tooManyRequests(0.2) });
    fake.failNext({ method: "sendMessage", chatId: user.id, failure: failures.serverError() });
    fake.pushText("/start", { from: user });
    // The answer, then (a new Telegram user) the notice that announcements will come.
    await until(() => fake.textsTo(user.id).length >= 2, 10_000);
    expect(fake.textsTo(user.id)).toEqual([expect.stringMatching(/Assalam-o-Alaikum Sana/), subscribedNotice()]);
    const attempts = fake.calls.filter((c) => c.method === "sendMessage" && c.chatId === String(user.id) && String(c.params.text ?? "").startsWith("Assalam-o-Alaikum"));
    expect(attempts.map((c) => c.errorCode ?? 200)).toEqual([429, 500, 200]);
    // The retry waited out retry_after (0.2 s) before trying again.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(190);
  });

  it("two 429s in a row, and a dropped connection, are waited out too", async () => {
    const user = { id: 51002, first_name: "Omar" };
    // The dropped connection first: backoff doubles with each try, so a fault on the first try
    // waits 0.5 s where one on the third waited 2 s; the 429s wait retry_after (0.2 s).
    fake.failNext({ method: "sendMessage", chatId: user.id, failure: failures.network() });
    fake.failNext({ method: "sendMessage", chatId: user.id, times: 2, failure: failures.tooManyRequests(0.2) });
    fake.pushText("/start", { from: user });
    await until(() => fake.textsTo(user.id).length >= 2, 15_000);
    expect(fake.textsTo(user.id)).toEqual([expect.stringMatching(/Assalam-o-Alaikum Omar/), subscribedNotice()]);
  });

  it("a bad request is not retried: the user gets the apology once", async () => {
    const user = { id: 51003, first_name: "Hina" };
    fake.failNext({ method: "sendMessage", chatId: user.id, failure: { error_code: 400, description: "Bad Request: BUTTON_DATA_INVALID" } });
    fake.pushText("/start", { from: user });
    await until(() => fake.textsTo(user.id).length > 0, 10_000);
    expect(fake.textsTo(user.id)).toEqual([apology()]);
    expect(fake.calls.filter((c) => c.method === "sendMessage" && c.chatId === String(user.id))).toHaveLength(2);
  });
});

describe("replies under random faults", () => {
  it("5 % 429 and 5 % 500 on sendMessage: each of 100 users gets the real answer, nobody the apology", async () => {
    const faulty = await startTelegramApp({ latencyMs: { min: 5, max: 20 }, random: { p429: 0.05, retryAfter: 0.2, p500: 0.05, seed: 3 } });
    try {
      const t = faulty.app.deps.i18n.t("en");
      const users = Array.from({ length: 100 }, (_, i) => 52_000 + i);
      for (const id of users) faulty.fake.pushText("/start", { from: { id, first_name: `R${id}` } });
      await until(() => users.every((id) => faulty.fake.textsTo(id).some((x) => x.includes(t("common:menu.title")))), 20_000);
      expect(faulty.fake.calls.filter((c) => c.errorCode === 429 || c.errorCode === 500).length).toBeGreaterThan(3);
      for (const id of users) {
        // The answer once, never the apology. The notice that announcements will come follows
        // it at most once: when the answer's retries outlast the message's deadline the notice
        // is dropped (every announcement says how to stop anyway).
        const texts = faulty.fake.textsTo(id);
        expect(texts.filter((x) => x.includes(t("common:menu.title")))).toHaveLength(1);
        expect(texts.filter((x) => x !== t("broadcasts:consent.subscribed") && !x.includes(t("common:menu.title")))).toEqual([]);
        expect(texts.filter((x) => x === t("broadcasts:consent.subscribed")).length).toBeLessThanOrEqual(1);
      }
    } finally {
      await faulty.close();
    }
  });
});

/** A clock that only moves when told to, so pacing is checked without waiting. */
function virtualClock() {
  let now = 0;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => sleepers.push({ at: now + Math.max(0, ms), wake })),
  };
  /** Runs the clock until nothing sleeps any more. */
  async function runAll() {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (sleepers.length === 0) return;
      sleepers.sort((a, b) => a.at - b.at);
      const next = sleepers.shift()!;
      now = Math.max(now, next.at);
      next.wake();
    }
  }
  return { clock, runAll };
}

describe("reply pacing per chat", () => {
  const i18n = createI18n();
  const noHot = { rememberChoices: async () => undefined } as never;

  async function paced(sends: Array<{ chatId: string; isGroup?: boolean }>) {
    const { clock, runAll } = virtualClock();
    const messenger = createMessenger({ hot: noHot, i18n, clock });
    const telegram = createMemoryAdapter("telegram", { buttons: true });
    const at: Array<{ chatId: string; t: number }> = [];
    telegram.failWith = (chatId) => void at.push({ chatId, t: clock.now() });
    messenger.register(telegram);
    const done = Promise.all(sends.map((s) => messenger.reply({ channel: "telegram", chatId: s.chatId, lang: "en", isGroup: s.isGroup }, { text: "answer" })));
    await runAll();
    await done;
    return at;
  }

  it("a burst of 20 answers to one person: the first few at once, then one a second", async () => {
    const { burst, privateGapMs } = REPLY_POLICIES.telegram!;
    const times = (await paced(Array.from({ length: 20 }, () => ({ chatId: "p1" })))).map((a) => a.t);
    expect(times.slice(0, burst)).toEqual(Array(burst).fill(0));
    for (let i = burst; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(privateGapMs);
    // Never more than the burst plus one in any second.
    for (const t0 of times) expect(times.filter((t) => t >= t0 && t < t0 + 1000).length).toBeLessThanOrEqual(burst + 1);
  });

  it("a group gets at most 20 a minute; other chats are not held up by a busy one", async () => {
    const sends = [...Array.from({ length: 30 }, () => ({ chatId: "-100g", isGroup: true })), { chatId: "p2" }];
    const at = await paced(sends);
    const group = at.filter((a) => a.chatId === "-100g").map((a) => a.t);
    for (const t0 of group) expect(group.filter((t) => t >= t0 && t < t0 + 60_000).length).toBeLessThanOrEqual(20 + REPLY_POLICIES.telegram!.burst);
    expect(at.find((a) => a.chatId === "p2")!.t).toBe(0);
  });

  it("gives up after a bounded number of tries and says why", async () => {
    const { clock, runAll } = virtualClock();
    const messenger = createMessenger({ hot: noHot, i18n, clock });
    const telegram = createMemoryAdapter("telegram", { buttons: true });
    let tries = 0;
    telegram.failWith = () => {
      tries += 1;
      throw new ChannelError("network", "telegram: 502 Bad Gateway");
    };
    messenger.register(telegram);
    const result = messenger.reply({ channel: "telegram", chatId: "p3", lang: "en" }, { text: "answer" }).then(() => undefined, (e: unknown) => e);
    await runAll();
    expect(await result).toBeInstanceOf(ChannelError);
    expect(tries).toBe(REPLY_POLICIES.telegram!.attempts);
  });
});
