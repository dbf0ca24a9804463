/**
 * The inbox on a real database: a message whose handling died (a crash) is handled when
 * it is delivered again or replayed, rows of a dead process are taken over, two processes
 * replaying at once handle each row once, and one stuck message cannot hold a user's queue.
 * A "process" here is a core with its own claim owner; "later" is a clock past the lease.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppDeps, Feature } from "../../src/core/context.ts";
import { createCore } from "../../src/core/engine.ts";
import { createOwnerId, deadOwners } from "../../src/core/inbox.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

const LEASE_MS = 4000;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { MESSAGE_DEADLINE_MS: "400", INBOX_LEASE_MS: String(LEASE_MS) } });
  // Build the understanding (FAQ index, lexicons) now: on a loaded machine its first build
  // alone can pass this file's short deadline, which is about stuck handlers, not cold starts.
  t.app.understander.understand("hello");
});
afterAll(() => t.close());

/** The same app as seen by another process whose clock is `ms` ahead. */
const later = (deps: AppDeps, ms: number): AppDeps => ({ ...deps, now: () => new Date(Date.now() + ms) });
/** A process that dies while handling: its handler never returns. */
const dies: Feature = { name: "dies", middleware: () => new Promise<void>(() => undefined) };
const repliesTo = (chatId: string) => t.adapter.sent.filter((s) => s.chatId === chatId).map((s) => s.message.text);

async function stored(messageId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await t.app.deps.db.inboundMessage.findFirst({ where: { externalMessageId: messageId } })) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`message ${messageId} was never stored`);
}

describe("inbox: at-least-once", () => {
  it("keeps the message with its payload until it is handled, then keeps only the id", async () => {
    const message = t.inbound("hello", { id: "kept" });
    const crashed = createCore(t.app.deps, [dies]);
    void crashed.handle(message);
    await stored(message.messageId);
    const row = await t.app.deps.db.inboundMessage.findFirstOrThrow({ where: { externalMessageId: message.messageId } });
    expect(row.handledAt).toBeNull();
    expect(JSON.parse(row.payload!)).toMatchObject({ messageId: message.messageId, content: { kind: "text", text: "hello" } });
    await t.app.core.handle(message); // still held by the "dead" process: skipped, not handled twice
    expect(repliesTo("kept")).toHaveLength(0);
  });

  it("answers a redelivery of a message whose handling died, instead of skipping it as seen", async () => {
    const message = t.inbound("hello", { id: "redelivered" });
    void createCore(t.app.deps, [dies]).handle(message);
    await stored(message.messageId);
    const restarted = createCore(later(t.app.deps, LEASE_MS + 1000), t.app.features, { understander: t.app.understander });
    await restarted.handle(message);
    expect(repliesTo("redelivered").join("\n")).toMatch(/Assalam-o-Alaikum/);
    const row = await t.app.deps.db.inboundMessage.findFirstOrThrow({ where: { externalMessageId: message.messageId } });
    expect(row.handledAt).toBeInstanceOf(Date);
    expect(row.payload).toBeNull();
    // Handled now: a further redelivery is skipped.
    await restarted.handle(message);
    expect(repliesTo("redelivered")).toHaveLength(1);
  });

  it("replays what a crashed process stored: after the lease, or at once when that process is gone from this machine", async () => {
    const first = t.inbound("menu", { id: "replayed-1" });
    const second = t.inbound("menu", { id: "replayed-2" });
    void createCore(t.app.deps, [dies]).accept(first);
    // A process of this machine that no longer runs (pid 999999): its claims need no lease wait.
    void createCore(t.app.deps, [dies], { owner: createOwnerId({ pid: 999999 }) }).accept(second);
    await stored(first.messageId);
    await stored(second.messageId);
    const now = createCore(t.app.deps, t.app.features, { understander: t.app.understander });
    expect(await now.replay()).toBe(1);
    await now.idle();
    expect(repliesTo("replayed-2").join("\n")).toMatch(/Assalam-o-Alaikum/);
    expect(repliesTo("replayed-1")).toHaveLength(0);
    const afterLease = createCore(later(t.app.deps, LEASE_MS + 1000), t.app.features, { understander: t.app.understander });
    expect(await afterLease.replay()).toBeGreaterThanOrEqual(1);
    await afterLease.idle();
    expect(repliesTo("replayed-1").join("\n")).toMatch(/Assalam-o-Alaikum/);
  });

  it("two processes replaying together handle each message once", async () => {
    const handled: string[] = [];
    const counting: Feature = {
      name: "counting",
      middleware: async (ctx) => {
        handled.push(ctx.message.messageId);
        await ctx.reply("ok");
      },
    };
    const crashed = createCore(t.app.deps, [dies]);
    const messages = Array.from({ length: 30 }, (_, i) => t.inbound("hi", { id: `pair-${i}` }));
    await Promise.all(messages.map((m) => crashed.accept(m)));
    const a = createCore(later(t.app.deps, LEASE_MS + 1000), [counting]);
    const b = createCore(later(t.app.deps, LEASE_MS + 1000), [counting]);
    const counts = await Promise.all([a.replay(), b.replay(), a.replay(), b.replay()]);
    await Promise.all([a.idle(), b.idle()]);
    const mine = new Set(messages.map((m) => m.messageId));
    const ours = handled.filter((id) => mine.has(id));
    expect(counts.reduce((x, y) => x + y, 0)).toBe(30);
    expect(ours.sort()).toEqual([...mine].sort());
  });
});

describe("inbox: deadline", () => {
  it("one stuck message does not hold the user's queue; it is retried from the inbox later", async () => {
    let stuckOnce = true;
    const flaky: Feature = {
      name: "flaky",
      middleware: async (ctx) => {
        if (ctx.text === "stuck" && stuckOnce) {
          stuckOnce = false;
          return new Promise<void>(() => undefined);
        }
        await ctx.reply(`ok:${ctx.text}`);
      },
    };
    const core = createCore(t.app.deps, [flaky]);
    const stuck = t.inbound("stuck", { id: "queue-user" });
    void core.handle(stuck);
    await core.handle(t.inbound("next", { id: "queue-user" }));
    expect(repliesTo("queue-user")).toEqual(["ok:next"]);
    // Once the stuck attempt's lease is over, the replay handles it again.
    const replayer = createCore(later(t.app.deps, LEASE_MS + 1000), [flaky]);
    await replayer.replay();
    await replayer.idle();
    expect(repliesTo("queue-user")).toEqual(["ok:next", "ok:stuck"]);
  });
});

describe("inbox: a late message that is still running", () => {
  it("keeps its claim: another process's replay leaves it alone, and it is answered once", async () => {
    // A reply waiting for the platform's rate under a backlog: past its deadline and its first lease.
    const deps: AppDeps = { ...t.app.deps, config: { ...t.app.deps.config, inbox: { deadlineMs: 200, leaseMs: 900 } } };
    let runs = 0;
    const slow: Feature = {
      name: "slow",
      middleware: async (ctx) => {
        runs += 1;
        await new Promise((r) => setTimeout(r, 2000));
        await ctx.reply(`ok:${ctx.text}`);
      },
    };
    const [core, other] = [createCore(deps, [slow]), createCore(deps, [slow])];
    const message = t.inbound("slow", { id: "late-user" });
    void core.handle(message);
    await new Promise((r) => setTimeout(r, 1400));
    await other.replay();
    await other.idle();
    await new Promise((r) => setTimeout(r, 900));
    await core.idle();
    expect(runs).toBe(1);
    expect(repliesTo("late-user")).toEqual(["ok:slow"]);
    const row = await t.app.deps.db.inboundMessage.findFirstOrThrow({ where: { externalMessageId: message.messageId } });
    expect(row.handledAt).toBeInstanceOf(Date);
    expect(row.attempts).toBe(1);
  });
});

describe("inbox: a message waiting its turn", () => {
  it("is not handled twice when this process's replay claims it again while it waits (a backlog longer than a lease)", async () => {
    // A backlog: the user's second message waits behind the first for longer than its lease,
    // so the replay finds its lease over and claims it. It is still this process's to handle.
    let skew = 0;
    const deps: AppDeps = { ...t.app.deps, now: () => new Date(Date.now() + skew), config: { ...t.app.deps.config, inbox: { deadlineMs: 5000, leaseMs: 9000 } } };
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const gated: Feature = {
      name: "gated",
      middleware: async (ctx) => {
        if (ctx.text === "first") await released;
        await ctx.reply(`ok:${ctx.text}`);
      },
    };
    const core = createCore(deps, [gated]);
    const first = t.inbound("first", { id: "backlog-user" });
    const second = t.inbound("second", { id: "backlog-user" });
    const done = Promise.all([core.handle(first), core.handle(second)]);
    await stored(first.messageId);
    await stored(second.messageId);
    skew = 10_000;
    expect(await core.replay()).toBeGreaterThanOrEqual(1);
    release();
    await done;
    await core.idle();
    expect(repliesTo("backlog-user")).toEqual(["ok:first", "ok:second"]);
  });
});

describe("inbox: which claim holders are dead", () => {
  it("only processes of this machine and pid namespace that no longer run", () => {
    const self = createOwnerId();
    const [host, ns, pid, start] = self.split(":");
    const gone = createOwnerId({ pid: 999999 });
    const parent = createOwnerId({ pid: process.ppid }); // running
    const sibling = createOwnerId(); // another core of this very process
    const earlier = [host, ns, pid, "1", "abc"].join(":"); // a previous process that had our pid
    const otherHost = ["elsewhere", ns, 999999, start, "abc"].join(":");
    const otherContainer = [host, "123", 999999, start, "abc"].join(":");
    expect(deadOwners([gone, parent, sibling, earlier, otherHost, otherContainer, self], self).sort()).toEqual([earlier, gone].sort());
  });
});
