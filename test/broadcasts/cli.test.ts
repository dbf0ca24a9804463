/** `seller-bot broadcasts list|status|pause|resume|cancel` against the real test database. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBroadcast } from "../../src/features/broadcasts/api.ts";
import { runCliInProcess } from "../support/cli.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { content, makeUser } from "./helpers.ts";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ channel: "telegram" });
});
afterEach(async () => t.close());

async function run(argv: string[]) {
  const { code, stdout, stderr } = await runCliInProcess(t.database.url, ["broadcasts", ...argv]);
  return { code, out: stdout, err: stderr };
}

describe("broadcasts CLI", () => {
  it("status --json keeps the five counts first and adds cancelled and the state", async () => {
    for (let i = 0; i < 2; i++) await makeUser(t.app.deps.db, {});
    const { broadcastId } = await createBroadcast(t.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: content() });
    const { code, out } = await run(["status", String(broadcastId), "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toStrictEqual({ queued: 2, sent: 0, failed: 0, blocked: 0, optedOut: 0, cancelled: 0, state: "queued", delivered: 0, read: 0, skipped: 0, limited: 0 });
    expect(Object.keys(JSON.parse(out))).toEqual(["queued", "sent", "failed", "blocked", "optedOut", "cancelled", "state", "delivered", "read", "skipped", "limited"]);
    await run(["cancel", String(broadcastId)]);
    expect(JSON.parse((await run(["status", String(broadcastId), "--json"])).out)).toMatchObject({ queued: 0, cancelled: 2, state: "cancelled", delivered: 0, read: 0, skipped: 0, limited: 0 });
    expect((await run(["status", String(broadcastId)])).out).toMatch(/^broadcast \d+ \(cancelled\): queued 0, .*cancelled 2\n/);
  });

  it("list shows the newest first with state and counts; --partner narrows it; a finished one is not paused", async () => {
    await makeUser(t.app.deps.db, {});
    const first = await createBroadcast(t.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: content("first one") });
    const second = await createBroadcast(t.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: content("second one") });
    await t.app.deps.db.outboxMessage.updateMany({ where: { broadcastId: first.broadcastId }, data: { status: "sent", sentAt: new Date() } });
    const text = await run(["list"]);
    expect(text.code).toBe(0);
    const lines = text.out.trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^#${second.broadcastId} .* queued: 0 of 1 sent .*EN second one$`));
    expect(lines[1]).toMatch(new RegExp(`^#${first.broadcastId} .* done: 1 of 1 sent`));
    const json = JSON.parse((await run(["list", "--json", "--limit", "1"])).out) as Array<Record<string, unknown>>;
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ id: second.broadcastId, recipients: 1, queued: 1, state: "queued" });
    expect(JSON.parse((await run(["list", "--json", "--partner", "Nobody Here"])).out || "null")).toBeNull();
    const finished = await run(["pause", String(first.broadcastId)]);
    expect(finished.code).toBe(2);
    expect(finished.err).toContain("already finished");
  });

  it("pause, resume and cancel", async () => {
    await makeUser(t.app.deps.db, {});
    const { broadcastId } = await createBroadcast(t.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: content() });
    expect((await run(["pause", String(broadcastId)])).out).toContain("paused");
    expect((await run(["resume", String(broadcastId)])).out).toContain("active");
    expect((await run(["cancel", String(broadcastId)])).out).toContain("cancelled");
    const again = await run(["cancel", String(broadcastId)]);
    expect(again.code).toBe(2);
    expect(again.err).toContain("already cancelled");
  });

  it("bad usage and unknown ids exit 2 with one line", async () => {
    expect((await run(["status"])).code).toBe(2);
    expect((await run(["status", "abc", "--json"])).code).toBe(2);
    const missing = await run(["status", "424242", "--json"]);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split("\n")).toHaveLength(1);
  });
});
