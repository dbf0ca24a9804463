/**
 * Webhook mode with several processes (issue 17): an update delivered to two processes at
 * once is stored once and claimed by exactly one of them, on both providers, including
 * overlapping batches that arrive in opposite orders (which deadlocked on PostgreSQL before
 * the batch took its rows in key order). Two separate connections (pools) stand for the
 * two processes; bench/scale.ts --mode webhook runs real processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.ts";
import type { InboxEntry } from "../../src/db/hot-path.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

describe("inbox across processes", () => {
  let a: TestDatabase;
  let b: Database;
  beforeAll(async () => {
    a = await createTestDatabase();
    b = await openDatabase({ url: a.url, migrate: false });
  });
  afterAll(async () => {
    await b?.close();
    await a?.cleanup();
  });

  const entry = (id: string, owner: string): InboxEntry => ({
    channel: "telegram",
    messageId: id,
    payload: JSON.stringify({ id }),
    at: new Date(),
    owner,
    leaseUntil: new Date(Date.now() + 60_000),
  });

  it("one update sent to both is claimed by exactly one, whatever the order of arrival", async () => {
    for (let round = 0; round < 8; round++) {
      const ids = Array.from({ length: 400 }, (_, i) => `r${round}-u${i}`);
      // Each process gets everything, in opposite orders, all in flight at once (batched per tick).
      const [fromA, fromB] = await Promise.all([
        Promise.all(ids.map((id) => a.hot.storeInbound(entry(id, "process-a")))),
        Promise.all([...ids].reverse().map((id) => b.hot.storeInbound(entry(id, "process-b")))),
      ]);
      const claimedA = new Set(ids.filter((_, i) => fromA[i] !== undefined));
      const claimedB = new Set([...ids].reverse().filter((_, i) => fromB[i] !== undefined));
      for (const id of ids) expect(Number(claimedA.has(id)) + Number(claimedB.has(id)), id).toBe(1);
    }
    expect(await a.prisma.inboundMessage.count()).toBe(8 * 400);
  });

  it("a redelivery to the other process after handling is not handled again", async () => {
    const claim = await a.hot.storeInbound(entry("later", "process-a"));
    expect(claim).toBeDefined();
    await a.hot.markHandled([claim!.id], new Date());
    expect(await b.hot.storeInbound(entry("later", "process-b"))).toBeUndefined();
  });
});
