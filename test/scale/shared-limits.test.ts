/**
 * Limits shared by every process (docs/decisions/1101-shared-limits.md): pacers on separate
 * pools, and in separate processes, on one PostgreSQL schema together keep Telegram's
 * overall rate and its one-a-second per chat; a pause reaches them all; a process that is
 * gone holds nothing. The memory store (one process, SQLite) is checked on a virtual clock.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTestSettings } from "../../src/config.ts";
import { createPostgresLimitStore } from "../../src/core/limits/postgres-store.ts";
import { createMemoryLimitStore } from "../../src/core/limits/store.ts";
import { createPacer } from "../../src/features/broadcasts/pacer.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database.ts";
import { closestPerChat, peakInWindow } from "../support/limits.ts";

const settings = loadTestSettings();
const pace = (rate: number) => ({ telegramRatePerSecond: rate, perChatGapMs: 1000, groupPerMinute: 20, whatsappMinGapMs: 0, whatsappMaxGapMs: 0 });

describe("memory limit store", () => {
  it("takes all limits or none, and says which refused", async () => {
    let t = 0;
    const store = createMemoryLimitStore(() => t);
    const overall = { key: "x:overall", limit: 2, windowMs: 1000 };
    const chat = (id: string) => ({ key: `x:chat:${id}`, limit: 1, windowMs: 1000 });
    expect((await store.take([overall, chat("a")])).taken).toBe(true);
    const again = await store.take([overall, chat("a")]);
    expect(again).toMatchObject({ taken: false, refused: [{ key: "x:chat:a", waitMs: 1000 }], waitMs: 1000 });
    // The refused take did not use the overall permit: one is still free.
    expect((await store.take([overall, chat("b")])).taken).toBe(true);
    expect(await store.take([overall, chat("c")])).toMatchObject({ taken: false, refused: [{ key: "x:overall", waitMs: 1000 }] });
    t = 1000;
    expect((await store.take([overall, chat("a")])).taken).toBe(true);
  });
});

describe.skipIf(testProvider !== "postgres")("limits shared on PostgreSQL", () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  const baseUrl = settings.TEST_POSTGRES_URL;
  const newPool = () => {
    const pool = new pg.Pool({ connectionString: baseUrl, max: 4, options: `-c search_path="${db.schema}"` });
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await db?.cleanup();
  });

  it("three pacers on three pools keep one overall rate and one a second per chat", async () => {
    const rate = 20;
    const pacers = [0, 1, 2].map(() => createPacer(pace(rate), undefined, undefined, createPostgresLimitStore(newPool())));
    const sends: Array<[number, string]> = [];
    const end = Date.now() + 2000;
    let n = 0;
    await Promise.all(
      pacers.flatMap((pacer) =>
        Array.from({ length: 6 }, async () => {
          while (Date.now() < end) {
            const chat = ++n % 3 === 0 ? "shared" : `c${n}`;
            if (await pacer.acquire("telegram", chat, false, () => Date.now() >= end)) sends.push([Date.now(), chat]);
          }
        }),
      ),
    );
    const times = sends.map((s) => s[0]);
    // Three separate pacers each at 20/s would reach ~60 in a second. Times are read after
    // the database's answer, so one send of jitter is allowed over the cap.
    expect(peakInWindow(times)).toBeLessThanOrEqual(rate + 1);
    expect(sends.length).toBeGreaterThanOrEqual(rate);
    expect(sends.length).toBeLessThanOrEqual(rate * 2 + 1);
    // The chat "shared" was asked for by all three every third send: once a second at most.
    expect(sends.filter((s) => s[1] === "shared").length).toBeGreaterThanOrEqual(2);
    expect(closestPerChat(sends)).toBeGreaterThanOrEqual(1000 - 30);
  });

  it("two processes together keep the rate", async () => {
    const rate = 15;
    const children = [0, 1].map((i) =>
      spawn(process.execPath, ["--import", "tsx", "test/scale/limiter-child.ts", baseUrl, db.schema, String(rate), "1500", "6", `p${i}`], { stdio: ["pipe", "pipe", "inherit"] }),
    );
    const outputs = children.map((child) => {
      const lines = createInterface({ input: child.stdout! });
      const it = lines[Symbol.asyncIterator]();
      return { child, next: async () => (await it.next()).value as string };
    });
    for (const o of outputs) expect(await o.next()).toBe("ready");
    for (const o of outputs) o.child.stdin!.write("go\n");
    const sends = (await Promise.all(outputs.map(async (o) => JSON.parse(await o.next()) as Array<[number, string]>))).flat();
    for (const o of outputs) o.child.stdin!.end();
    // Each process alone would reach the rate: together they get it once, not twice.
    expect(peakInWindow(sends.map((s) => s[0]))).toBeLessThanOrEqual(rate + 1);
    expect(sends.length).toBeGreaterThanOrEqual(rate);
    expect(sends.length).toBeLessThanOrEqual(rate * 2 + 1);
    expect(closestPerChat(sends)).toBeGreaterThanOrEqual(1000 - 30);
  }, 20_000);

  it("arrivals keep the rate + 1 in any second when sends leave up to 150 ms after their permit (fresh permits)", async () => {
    const rate = 20;
    const pacers = [0, 1, 2].map(() => createPacer(pace(rate), undefined, undefined, createPostgresLimitStore(newPool())));
    const arrivals: Array<[number, string]> = [];
    const end = Date.now() + 2500;
    let n = 0;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all(
      pacers.flatMap((pacer) =>
        Array.from({ length: 6 }, async () => {
          while (Date.now() < end) {
            const chat = ++n % 3 === 0 ? "shared" : `a${n}`;
            const stop = () => Date.now() >= end;
            const grant = await pacer.grant("telegram", chat, false, { abort: stop });
            if (!grant.ok) continue;
            // A slow read before the send (the broadcast's state), for a third of the sends.
            if (n % 3 === 1) await sleep(150);
            const g = await pacer.fresh("telegram", chat, false, grant, stop);
            // Then the way to the platform: up to 20 ms more (within JITTER_MS - FRESH_MS).
            if (g.ok) void sleep(Math.random() * 20).then(() => arrivals.push([Date.now(), chat]));
          }
        }),
      ),
    );
    await sleep(50);
    expect(peakInWindow(arrivals.map((a) => a[0]))).toBeLessThanOrEqual(rate + 1);
    // Stale permits are left unused, so a busy machine sends fewer, never more (at least some went).
    expect(arrivals.length).toBeGreaterThanOrEqual(rate / 2);
    expect(closestPerChat(arrivals)).toBeGreaterThanOrEqual(1000);
  });

  it("replies take the shared rate ahead of announcements, and an announcement to a chat waits a second after its reply", async () => {
    const rate = 10;
    const pacers = [0, 1].map(() => createPacer(pace(rate), undefined, undefined, createPostgresLimitStore(newPool())));
    const sends: number[] = [];
    const bulkWaits: Array<[number, number]> = [];
    const start = Date.now();
    // Long enough that most announcements asked once the queues formed wait their whole turn
    // (about 2.4 s), so the comparison below has margin on a loaded machine (CI, two workers).
    const end = start + 4000;
    let n = 0;
    // Both processes keep many announcements waiting for the whole run.
    const bulk = pacers.flatMap((pacer) =>
      Array.from({ length: 12 }, async () => {
        while (Date.now() < end) {
          const asked = Date.now();
          const ok = await pacer.acquire("telegram", `b${++n}`, false, () => Date.now() >= end);
          if (ok) sends.push(Date.now());
          // An ask the end cut short waited at least this long: a lower bound of its wait.
          bulkWaits.push([asked, Date.now() - asked]);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const asked = Date.now();
      await pacers[i % 2]!.reply("telegram", `r${i}`, false);
      waits.push(Date.now() - asked);
      sends.push(Date.now());
    }
    // The chat a reply went to: an announcement to it waits its second (plus the margin).
    const replied = Date.now();
    await pacers[1]!.acquire("telegram", "r3", false);
    const announcementWait = Date.now() - replied;
    await Promise.all(bulk);
    expect(peakInWindow(sends)).toBeLessThanOrEqual(rate + 1);
    // Twelve announcements wait in each process (about 2.4 s each at 10/s); a reply goes
    // ahead of its own process's and competes only with the other process's one taker.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // (Announcements asked once the queues had formed: the first ones found permits free. Those
    // still waiting at the end count with the wait they had, which only lowers the mean.)
    const queued = bulkWaits.filter(([asked]) => asked >= start + 300).map(([, wait]) => wait);
    expect(queued.length).toBeGreaterThan(0);
    expect(mean(waits)).toBeLessThan(mean(queued) / 2);
    // On a saturated machine a reply can need a fresh permit again (each one a turn): bounded all the same.
    expect(Math.max(...waits)).toBeLessThan(2000);
    expect(announcementWait).toBeGreaterThanOrEqual(1000);
  }, 15_000);

  it("a process SIGKILLed while taking the whole rate holds no share a window later", async () => {
    const rate = 15;
    const child = spawn(process.execPath, ["--import", "tsx", "test/scale/limiter-child.ts", baseUrl, db.schema, String(rate), "20000", "6", "k"], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe("ready");
    child.stdin!.write("go\n");
    await new Promise((r) => setTimeout(r, 1500));
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    const killedAt = Date.now();
    const pacer = createPacer(pace(rate), undefined, undefined, createPostgresLimitStore(newPool()));
    const sends: number[] = [];
    const end = killedAt + 2500;
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; Date.now() < end; i++) if (await pacer.acquire("telegram", `s${w}-${i}`, false, () => Date.now() >= end)) sends.push(Date.now());
      }),
    );
    // The permits the dead process used are free one window (a second and the margin) after their use.
    const afterWindow = sends.filter((t) => t >= killedAt + 1100 && t < killedAt + 2100);
    expect(afterWindow.length).toBeGreaterThanOrEqual(rate - 2);
    expect(peakInWindow(sends)).toBeLessThanOrEqual(rate + 1);
  }, 30_000);

  it("a pause in one process holds the others", async () => {
    const [a, b] = [0, 1].map(() => createPacer(pace(20), undefined, undefined, createPostgresLimitStore(newPool())));
    await a!.acquire("telegram", "p1", false);
    a!.pause("telegram", Date.now() + 800);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await b!.acquire("telegram", "p2", false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it("a process that is gone holds no share: its permits are free a window after their use", async () => {
    const gone = newPool();
    const store = createPostgresLimitStore(gone);
    const overall = { key: "gone:overall", limit: 5, windowMs: 1000 };
    for (let i = 0; i < 5; i++) expect((await store.take([overall])).taken).toBe(true);
    await gone.end();
    const other = createPostgresLimitStore(newPool());
    const refused = await other.take([overall]);
    expect(refused.taken).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(0);
    expect(refused.waitMs).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, refused.waitMs + 20));
    expect((await other.take([overall])).taken).toBe(true);
  });
});
