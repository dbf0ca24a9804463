import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optOut } from "../../src/features/broadcasts/subscriptions.ts";
import { createNudgeJob, daytimeInPakistan, isoWeek, runNudges } from "../../src/features/progress/nudges.ts";
import { loadStages } from "../../src/features/progress/stages.ts";
import { applyChange } from "../../src/features/progress/store.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createClock, userIdOf } from "./helpers.ts";

let t: TestApp;
const clock = createClock();
const stages = loadStages("content");
beforeAll(async () => {
  t = await createTestApp({ now: clock.now });
});
afterAll(async () => t.close());

const outbox = (userId: number) => t.database.prisma.outboxMessage.findMany({ where: { userId, kind: "nudge" }, orderBy: { id: "asc" } });

describe("time rules", () => {
  it("computes the ISO week in Pakistan time", () => {
    expect(isoWeek(new Date("2027-01-06T05:00:00Z"))).toBe("2027-W01");
    expect(isoWeek(new Date("2026-12-31T12:00:00Z"))).toBe("2026-W53");
    // Sunday 20:00 UTC is already Monday 01:00 in Karachi: the next week.
    expect(isoWeek(new Date("2026-11-29T20:00:00Z"))).toBe("2026-W49");
  });

  it("moves night-time sends to 09:00 PKT", () => {
    expect(daytimeInPakistan(new Date("2027-01-06T05:00:00Z")).toISOString()).toBe("2027-01-06T05:00:00.000Z"); // 10:00 PKT
    expect(daytimeInPakistan(new Date("2027-01-06T15:30:00Z")).toISOString()).toBe("2027-01-07T04:00:00.000Z"); // 20:30 PKT
    expect(daytimeInPakistan(new Date("2027-01-06T21:00:00Z")).toISOString()).toBe("2027-01-07T04:00:00.000Z"); // 02:00 PKT
    expect(daytimeInPakistan(new Date("2027-01-06T03:59:00Z")).toISOString()).toBe("2027-01-06T04:00:00.000Z"); // 08:59 PKT
  });
});

describe("nudges", () => {
  it("queues one reminder with the next step for an idle seller, once a week", async () => {
    const idle = await userIdOf(t, "idle");
    await applyChange({ db: t.database.prisma, now: () => new Date() }, stages, { sellerId: idle, source: "seller", actorId: idle, change: { kind: "tick", stageIds: ["account"] } });
    clock.set("2027-01-06T05:00:00Z"); // Wednesday 10:00 PKT, weeks after the last change
    await runNudges(t.app.deps, stages);
    const [row, ...rest] = await outbox(idle);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({ dedupeKey: `nudge:${idle}:2027-W01`, notBefore: new Date("2027-01-06T05:00:00Z") });
    const content = JSON.parse(row!.content!) as { text: Record<string, string>; choices: Array<{ data: string }> };
    expect(content.text.en).toContain("Next step: Documents ready");
    expect(content.text.ur).toContain("دستاویزات تیار");
    expect(content.text["ur-Latn"]).toContain("Documents tayyar");
    expect(content.choices.map((c) => c.data)).toEqual(["pg:show", "faq:topic:required-documents"]);

    clock.set("2027-01-08T06:00:00Z"); // same week
    await runNudges(t.app.deps, stages);
    expect(await outbox(idle)).toHaveLength(1);
    clock.set("2027-01-11T06:00:00Z"); // next Monday
    await runNudges(t.app.deps, stages);
    expect((await outbox(idle)).map((r) => r.dedupeKey)).toEqual([`nudge:${idle}:2027-W01`, `nudge:${idle}:2027-W02`]);
  });

  it("never sends at night: a run at 23:00 PKT is sent from 09:00", async () => {
    const night = await userIdOf(t, "night-owl");
    clock.set("2027-01-20T18:00:00Z"); // 23:00 PKT
    await runNudges(t.app.deps, stages);
    const [row] = await outbox(night);
    expect(row?.notBefore).toEqual(new Date("2027-01-21T04:00:00Z"));
  });

  it("skips sellers who opted out, who moved recently, who finished, and staff", async () => {
    const stopped = await userIdOf(t, "stopped");
    await optOut(t.database.prisma, stopped, new Date());
    const busy = await userIdOf(t, "busy");
    const done = await userIdOf(t, "done");
    const partner = await userIdOf(t, "a-partner");
    await t.database.prisma.user.update({ where: { id: partner }, data: { role: "partner" } });
    clock.set("2027-02-03T05:00:00Z");
    const at = (iso: string) => ({ db: t.database.prisma, now: () => new Date(iso) });
    await applyChange(at("2027-02-01T05:00:00Z"), stages, { sellerId: busy, source: "seller", actorId: busy, change: { kind: "tick", stageIds: ["account"] } });
    await applyChange(at("2026-12-01T05:00:00Z"), stages, { sellerId: done, source: "admin", actorId: null, change: { kind: "tick", stageIds: stages.list.map((s) => s.id) } });
    await runNudges(t.app.deps, stages);
    for (const id of [stopped, busy, done, partner]) expect(await outbox(id)).toHaveLength(0);
  });

  it("runs as a job on an injectable interval and stops cleanly", async () => {
    const late = await userIdOf(t, "late");
    clock.set("2027-03-03T05:00:00Z");
    const job = createNudgeJob(t.app.deps, stages, 20);
    job.start();
    const deadline = Date.now() + 5000;
    while ((await outbox(late)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await job.stop();
    expect(await outbox(late)).toHaveLength(1);
    expect(t.app.features.find((f) => f.name === "progress")?.jobs?.map((j) => j.name)).toEqual(["progress-nudges"]);
  });
});
