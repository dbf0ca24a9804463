/** `seller-bot broadcasts status|pause|resume|cancel` against the real test database. */
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
  it("status --json prints exactly the five counts", async () => {
    for (let i = 0; i < 2; i++) await makeUser(t.app.deps.db, {});
    const { broadcastId } = await createBroadcast(t.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: content() });
    const { code, out } = await run(["status", String(broadcastId), "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toStrictEqual({ queued: 2, sent: 0, failed: 0, blocked: 0, optedOut: 0 });
    expect(Object.keys(JSON.parse(out))).toEqual(["queued", "sent", "failed", "blocked", "optedOut"]);
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
