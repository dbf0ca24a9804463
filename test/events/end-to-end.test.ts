/**
 * From announcement to RSVP through the real outbox worker: the announcement arrives with
 * numbered choices on a channel without buttons, "1" means Going, and a promotion notice
 * and a reminder are delivered too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { announceEvent } from "../../src/features/events/announce.ts";
import { rsvpCounts } from "../../src/features/events/api.ts";
import { queueReminders } from "../../src/features/events/reminders.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makeEvent, subscribe } from "./helpers.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const userIdOf = async (externalId: string) => (await t.app.deps.db.channelIdentity.findFirstOrThrow({ where: { externalId } })).userId;
const sentTo = (chatId: string, from: number) => t.adapter.sent.slice(from).filter((s) => s.chatId === chatId).map((s) => s.message.text);

describe("announcement → RSVP", () => {
  it("delivers the announcement, takes '1' as Going, waitlists, promotes with a delivered notice, reminds", async () => {
    const event = await makeEvent(t.app.deps, { title: { en: "E2E Summit" }, capacity: 1, inHours: 20 });
    for (const id of ["e2e-a", "e2e-b"]) {
      await t.send("hello", { id });
      await subscribe(t.app.deps.db, await userIdOf(id));
    }
    const before = t.adapter.sent.length;
    const { recipients } = await announceEvent(t.app.deps, event.id, null, { kind: "all" });
    expect(recipients).toBeGreaterThanOrEqual(2);
    const worker = createOutboxWorker(t.app.deps, { pollMs: 20 });
    await worker.drain();
    const announcement = sentTo("e2e-a", before).join("\n");
    expect(announcement).toContain("E2E Summit");
    expect(announcement).toMatch(/1\. Going\n2\. Maybe\n3\. Can't come/);

    expect((await t.send("1", { id: "e2e-a" }))[0]?.text).toMatch(/You're going to E2E Summit/);
    expect((await t.send("1", { id: "e2e-b" }))[0]?.text).toMatch(/number 1 on the waitlist/);
    expect(await rsvpCounts(t.app.deps.db, event.id)).toMatchObject({ going: 1, waitlist: 1 });

    // a changes to Can't: b is promoted and told through the outbox.
    await t.send({ kind: "choice", data: `ev:rsvp:${event.id}:no` }, { id: "e2e-a" });
    const mark = t.adapter.sent.length;
    await worker.drain();
    expect(sentTo("e2e-b", mark).join("\n")).toMatch(/seat freed up.*E2E Summit/s);

    // The event is 20 h away: the 24-hour reminder goes to b only.
    expect(await queueReminders(t.app.deps)).toBe(1);
    const mark2 = t.adapter.sent.length;
    await worker.drain();
    expect(sentTo("e2e-b", mark2).join("\n")).toMatch(/E2E Summit starts within 24 hours/);
    expect(sentTo("e2e-a", mark2)).toEqual([]);
    await worker.stop();
  });
});
