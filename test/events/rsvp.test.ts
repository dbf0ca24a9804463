/**
 * RSVPs on a real database: seats, waitlist, promotion with a notice, concurrent answers
 * for the last seat, and polite answers for events that cannot take RSVPs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rsvpCounts } from "../../src/features/events/api.ts";
import { setRsvp } from "../../src/features/events/rsvp.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makeEvent, makeUser, outboxKeys } from "./helpers.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const db = () => t.app.deps.db;

describe("seats and waitlist", () => {
  it("fills the seats, then waitlists in order, then promotes the first waiting when a seat frees", async () => {
    const event = await makeEvent(t.app.deps, { capacity: 2 });
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => makeUser(db())));
    expect((await setRsvp(t.app.deps, event.id, a!.id, "going")).kind).toBe("going");
    expect((await setRsvp(t.app.deps, event.id, b!.id, "going")).kind).toBe("going");
    expect(await setRsvp(t.app.deps, event.id, c!.id, "going")).toMatchObject({ kind: "waitlist", position: 1 });
    expect(await setRsvp(t.app.deps, event.id, d!.id, "going")).toMatchObject({ kind: "waitlist", position: 2 });
    // Answering going again does not lose the place.
    expect(await setRsvp(t.app.deps, event.id, d!.id, "going")).toMatchObject({ kind: "waitlist", position: 2, changed: false });
    expect(await rsvpCounts(db(), event.id)).toEqual({ going: 2, maybe: 0, no: 0, waitlist: 2 });

    const left = await setRsvp(t.app.deps, event.id, a!.id, "no");
    expect(left).toMatchObject({ kind: "no", promoted: [c!.id] });
    expect(await rsvpCounts(db(), event.id)).toEqual({ going: 2, maybe: 0, no: 1, waitlist: 1 });
    const statusOf = async (userId: number) => (await db().rsvp.findUniqueOrThrow({ where: { eventId_userId: { eventId: event.id, userId } } })).status;
    expect(await statusOf(c!.id)).toBe("going");
    expect(await statusOf(d!.id)).toBe("waitlist");
    // The promoted person is told through the outbox.
    const notices = await outboxKeys(db(), `evpromo:${event.id}:`);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(new RegExp(`^evpromo:${event.id}:${c!.id}:\\d+$`));
    const row = await db().outboxMessage.findFirstOrThrow({ where: { dedupeKey: notices[0] } });
    expect(row.userId).toBe(c!.id);
    expect(row.content).toContain("seat freed up");

    // Maybe from a waitlisted person removes them from the queue; nobody is promoted.
    expect(await setRsvp(t.app.deps, event.id, d!.id, "maybe")).toMatchObject({ kind: "maybe", promoted: [] });
    expect(await rsvpCounts(db(), event.id)).toEqual({ going: 2, maybe: 1, no: 1, waitlist: 0 });
  });

  it("gives the last seat to exactly one of many people answering at the same moment", async () => {
    const event = await makeEvent(t.app.deps, { capacity: 3 });
    const users = await Promise.all(Array.from({ length: 12 }, () => makeUser(db())));
    const results = await Promise.all(users.map((u) => setRsvp(t.app.deps, event.id, u.id, "going")));
    expect(results.filter((r) => r.kind === "going")).toHaveLength(3);
    expect(results.filter((r) => r.kind === "waitlist")).toHaveLength(9);
    const positions = results.flatMap((r) => (r.kind === "waitlist" ? [r.position] : [])).sort((x, y) => x - y);
    expect(positions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await rsvpCounts(db(), event.id)).toEqual({ going: 3, maybe: 0, no: 0, waitlist: 9 });
  });

  it("two seat holders leave while two others join at once: the first two on the waitlist get the seats, the newcomers wait", async () => {
    const event = await makeEvent(t.app.deps, { capacity: 2 });
    const [a, b, c, d, e, f] = await Promise.all(Array.from({ length: 6 }, () => makeUser(db())));
    await setRsvp(t.app.deps, event.id, a!.id, "going");
    await setRsvp(t.app.deps, event.id, b!.id, "going");
    // c and d are first and second in line.
    await setRsvp(t.app.deps, event.id, c!.id, "going");
    await setRsvp(t.app.deps, event.id, d!.id, "going");
    await Promise.all([
      setRsvp(t.app.deps, event.id, a!.id, "no"),
      setRsvp(t.app.deps, event.id, b!.id, "no"),
      setRsvp(t.app.deps, event.id, e!.id, "going"),
      setRsvp(t.app.deps, event.id, f!.id, "going"),
    ]);
    const statusOf = async (userId: number) => (await db().rsvp.findUniqueOrThrow({ where: { eventId_userId: { eventId: event.id, userId } } })).status;
    expect(await Promise.all([a, b, c, d, e, f].map((u) => statusOf(u!.id)))).toEqual(["no", "no", "going", "going", "waitlist", "waitlist"]);
    expect(await rsvpCounts(db(), event.id)).toMatchObject({ going: 2, waitlist: 2 });
    // Each promoted person is told once; nobody else is.
    const notices = await outboxKeys(db(), `evpromo:${event.id}:`);
    expect(notices.map((k) => Number(k.split(":")[2])).sort((x, y) => x - y)).toEqual([c!.id, d!.id].sort((x, y) => x - y));
  });
});

describe("events that cannot take answers", () => {
  it("refuses cancelled, past, draft and missing events without writing anything", async () => {
    const user = await makeUser(db());
    const cancelled = await makeEvent(t.app.deps);
    await db().event.update({ where: { id: cancelled.id }, data: { status: "cancelled" } });
    const past = await makeEvent(t.app.deps);
    await db().event.update({ where: { id: past.id }, data: { startsAt: new Date(Date.now() - 3600_000), endsAt: new Date(Date.now() + 3600_000) } });
    const draft = await makeEvent(t.app.deps, { status: "draft" });
    expect(await setRsvp(t.app.deps, cancelled.id, user.id, "going")).toMatchObject({ kind: "unavailable", reason: "cancelled" });
    expect(await setRsvp(t.app.deps, past.id, user.id, "going")).toMatchObject({ kind: "unavailable", reason: "past" });
    expect(await setRsvp(t.app.deps, draft.id, user.id, "going")).toMatchObject({ kind: "unavailable", reason: "draft" });
    expect(await setRsvp(t.app.deps, 999_999, user.id, "going")).toMatchObject({ kind: "unavailable", reason: "notFound" });
    expect(await db().rsvp.count({ where: { userId: user.id } })).toBe(0);
  });

  it("answers a stale RSVP button politely in the user's language", async () => {
    const event = await makeEvent(t.app.deps);
    await db().event.update({ where: { id: event.id }, data: { status: "cancelled" } });
    await t.send("سلام", { id: "ur-rsvp" });
    const [cancelled] = await t.send({ kind: "choice", data: `ev:rsvp:${event.id}:going` }, { id: "ur-rsvp" });
    expect(cancelled?.text).toContain("منسوخ");
    expect(cancelled?.text).toContain("سیالکوٹ ایکسپورٹ سمٹ");
    const [deleted] = await t.send({ kind: "choice", data: "ev:rsvp:987654:going" }, { id: "en-rsvp" });
    expect(deleted?.text).toMatch(/no longer available/);
    const [garbage] = await t.send({ kind: "choice", data: "ev:rsvp:abc:dance" }, { id: "en-rsvp" });
    expect(garbage?.text).toMatch(/no longer active/);
  });
});
