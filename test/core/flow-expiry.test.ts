/**
 * Flows expire after their time of silence (the next message is not read as the flow's
 * answer), and the hourly clean-up job clears expired flows and prunes the inbox: handled
 * ids older than a week go, unhandled ones older than a week go with a warning, recent
 * ones stay.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMaintenanceJob } from "../../src/core/maintenance.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { memoryLog } from "../whatsapp/support.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const HOUR = 3600_000;

describe("flow expiry", () => {
  it("a flow is over after 60 minutes of silence: the next message is read as if no flow had started", async () => {
    let now = new Date("2026-11-27T10:00:00Z");
    t = await createTestApp({ now: () => now });
    const texts = (replies: Array<{ text: string }>) => replies.map((r) => r.text);
    // Without a flow, "xyzzy" gets the plain answer to something not understood.
    const plain = texts(await t.send("xyzzy", { id: "fx-none" }));
    // The partner finder asks "which town?" and reads the next message as the answer.
    await t.send("nearest partner", { id: "fx-59" });
    await t.send("nearest partner", { id: "fx-61" });
    now = new Date(now.getTime() + 59 * 60_000);
    const inFlow = texts(await t.send("xyzzy", { id: "fx-59" }));
    expect(inFlow).not.toEqual(plain);
    now = new Date(now.getTime() + 2 * 60_000);
    expect(texts(await t.send("xyzzy", { id: "fx-61" }))).toEqual(plain);
  });
});

describe("hourly clean-up job", () => {
  it("clears expired flows, keeps live ones, prunes week-old inbox ids and warns about unhandled ones", async () => {
    const now = new Date("2026-11-27T10:00:00Z");
    t = await createTestApp({ now: () => now });
    const { log, lines } = memoryLog("debug");
    const db = t.app.deps.db;
    const [expired, live] = await Promise.all([db.user.create({ data: {} }), db.user.create({ data: {} })]);
    await db.conversationState.create({ data: { userId: expired.id, flow: "partners.where", data: "{}", expiresAt: new Date(now.getTime() - 60_000) } });
    await db.conversationState.create({ data: { userId: live.id, flow: "partners.where", data: "{}", expiresAt: new Date(now.getTime() + HOUR) } });
    const old = new Date(now.getTime() - 8 * 24 * HOUR);
    const recent = new Date(now.getTime() - 2 * 24 * HOUR);
    await db.inboundMessage.createMany({
      data: [
        { channel: "telegram", externalMessageId: "old-handled", receivedAt: old, handledAt: old },
        { channel: "telegram", externalMessageId: "old-unhandled", receivedAt: old, payload: "{}" },
        { channel: "telegram", externalMessageId: "recent-handled", receivedAt: recent, handledAt: recent },
        { channel: "telegram", externalMessageId: "recent-unhandled", receivedAt: recent, payload: "{}" },
      ],
    });

    const job = createMaintenanceJob({ ...t.app.deps, log }, HOUR);
    job.start();
    await job.stop();

    expect((await db.conversationState.findUniqueOrThrow({ where: { userId: expired.id } })).flow).toBeNull();
    expect((await db.conversationState.findUniqueOrThrow({ where: { userId: live.id } })).flow).toBe("partners.where");
    const left = (await db.inboundMessage.findMany({ where: { externalMessageId: { in: ["old-handled", "old-unhandled", "recent-handled", "recent-unhandled"] } } })).map((m) => m.externalMessageId).sort();
    expect(left).toEqual(["recent-handled", "recent-unhandled"]);
    expect(lines.find((l) => l.msg === "dropped inbound messages left unhandled for a week")).toMatchObject({ level: 40, removed: 1 });
  });
});
