/**
 * Reminder selection (24 h and 2 h before, to people going) and queueing through the
 * outbox with dedupe keys, on a real database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueReminders, queueReminders } from "../../src/features/events/reminders.ts";
import { setRsvp } from "../../src/features/events/rsvp.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makeEvent, makeUser, outboxKeys } from "./helpers.ts";

const HOUR = 3600_000;
let clock = new Date("2036-11-27T12:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
});
afterAll(async () => t.close());

describe("reminders", () => {
  it("selects going people 24 h ahead, then 2 h ahead, never maybe/no/waitlist, and queues each once", async () => {
    const event = await makeEvent(t.app.deps, { inHours: 30, capacity: 2 });
    const far = await makeEvent(t.app.deps, { inHours: 80 });
    const [going1, going2, waiting, maybe, no] = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser(t.app.deps.db)));
    await setRsvp(t.app.deps, event.id, going1!.id, "going");
    await setRsvp(t.app.deps, event.id, going2!.id, "going");
    await setRsvp(t.app.deps, event.id, waiting!.id, "going");
    await setRsvp(t.app.deps, event.id, maybe!.id, "maybe");
    await setRsvp(t.app.deps, event.id, no!.id, "no");
    await setRsvp(t.app.deps, far.id, going1!.id, "going");

    // 30 h before: nothing due yet.
    expect(await dueReminders(t.app.deps)).toEqual([]);

    // 23 h before: the 24-hour reminder for the two going.
    clock = new Date(event.startsAt.getTime() - 23 * HOUR);
    const due = await dueReminders(t.app.deps);
    expect(due.map((d) => d.dedupeKey).sort()).toEqual([`rem24:${event.id}:${going1!.id}`, `rem24:${event.id}:${going2!.id}`].sort());
    expect(await queueReminders(t.app.deps)).toBe(2);
    expect(await queueReminders(t.app.deps)).toBe(0); // the job runs every minute: a repeat queues nothing
    const row = await t.app.deps.db.outboxMessage.findFirstOrThrow({ where: { dedupeKey: `rem24:${event.id}:${going1!.id}` } });
    expect(row).toMatchObject({ userId: going1!.id, kind: "reminder" });
    expect(row.content).toContain("starts within 24 hours");

    // 90 minutes before: the 2-hour reminder.
    clock = new Date(event.startsAt.getTime() - 90 * 60_000);
    expect(await queueReminders(t.app.deps)).toBe(2);
    expect((await outboxKeys(t.app.deps.db, `rem2:${event.id}:`)).length).toBe(2);

    // After the start, or for a cancelled event: nothing.
    clock = new Date(event.startsAt.getTime() + 60_000);
    expect(await dueReminders(t.app.deps)).toEqual([]);
    await t.app.deps.db.event.update({ where: { id: far.id }, data: { status: "cancelled" } });
    clock = new Date(far.startsAt.getTime() - 3 * HOUR);
    expect(await dueReminders(t.app.deps)).toEqual([]);
  });
});
