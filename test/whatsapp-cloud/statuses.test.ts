/**
 * Receipts (`statuses[]` posted by Meta, signed) update the outbox row of that wamid and
 * never move backwards; the broadcast's report shows delivered and read.
 */
import { afterEach, describe, expect, it } from "vitest";
import { broadcastStatus, createBroadcast } from "../../src/features/broadcasts/api.ts";
import { reportText } from "../../src/features/broadcasts/report.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { makeUser } from "../broadcasts/helpers.ts";
import { postSigned, statusesPayload } from "../support/fake-graph-api.ts";
import { APP_SECRET, createCloudRig, PHONE_ID, until, type CloudRig } from "./harness.ts";

let rig: CloudRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const t0 = Math.floor(Date.now() / 1000);

/** Sends one broadcast to `n` users inside the window; returns its id and each row's wamid by recipient. */
async function sent(r: CloudRig, n: number) {
  const waIds = Array.from({ length: n }, (_, i) => `92300200${String(i).padStart(4, "0")}`);
  for (const waId of waIds) {
    await makeUser(r.database.prisma, { channel: "whatsapp-cloud", externalId: waId });
    await r.database.prisma.whatsAppCloudWindow.create({ data: { waId, lastInboundAt: new Date() } });
    r.fake.wrote(waId);
  }
  const { broadcastId } = await createBroadcast(r.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: { text: { en: "Summit", ur: "", "ur-Latn": "" } } });
  // Until every row is sent: on a loaded machine a send can be put back for a moment (a
  // permit that went stale, a retry) and one drain ends with it still due later.
  const worker = createOutboxWorker(r.app.deps);
  const unsent = () => r.database.prisma.outboxMessage.findMany({ where: { broadcastId, status: { not: "sent" } }, select: { id: true, status: true, lastError: true } });
  await until(async () => {
    await worker.drain();
    return (await unsent()).length === 0;
  }, 15_000).catch(async () => {
    throw new Error(`rows not sent: ${JSON.stringify(await unsent())}`);
  });
  const wamid = new Map(r.fake.requests.map((q) => [q.to, q.messageId!]));
  return { broadcastId, waIds, wamid };
}

const row = (r: CloudRig, wamid: string) => r.database.prisma.outboxMessage.findFirstOrThrow({ where: { platformMessageId: wamid } });

describe("receipts", () => {
  it("sent, delivered, read in order set the timestamps; the report shows delivered and read", async () => {
    const r = (rig = await createCloudRig());
    const { broadcastId, waIds, wamid } = await sent(r, 3);
    const [a, b] = waIds.map((w) => wamid.get(w)!);
    expect(await r.fake.sendStatuses([{ id: a!, status: "sent", recipient: waIds[0]!, timestamp: t0 }])).toBe(200);
    expect(await r.fake.sendStatuses([{ id: a!, status: "delivered", recipient: waIds[0]!, timestamp: t0 + 1 }, { id: b!, status: "delivered", recipient: waIds[1]!, timestamp: t0 + 1 }])).toBe(200);
    expect(await r.fake.sendStatuses([{ id: a!, status: "read", recipient: waIds[0]!, timestamp: t0 + 5 }])).toBe(200);
    const ra = await row(r, a!);
    expect(ra).toMatchObject({ status: "sent", deliveredAt: new Date((t0 + 1) * 1000), readAt: new Date((t0 + 5) * 1000) });
    const status = await broadcastStatus(r.database.prisma, broadcastId);
    expect(status).toMatchObject({ sent: 3, delivered: 2, read: 1, failed: 0 });
    const text = reportText(r.app.deps.i18n.t("en"), broadcastId, { status, rsvp: null });
    expect(text).toContain("delivered 2, read 1");
  });

  it("out of order: read before delivered before sent ends the same, and a late failed changes nothing", async () => {
    const r = (rig = await createCloudRig());
    const { waIds, wamid } = await sent(r, 1);
    const id = wamid.get(waIds[0]!)!;
    const to = waIds[0]!;
    await r.fake.sendStatuses([{ id, status: "read", recipient: to, timestamp: t0 + 9 }]);
    await r.fake.sendStatuses([{ id, status: "delivered", recipient: to, timestamp: t0 + 3 }]);
    await r.fake.sendStatuses([{ id, status: "sent", recipient: to, timestamp: t0 + 1 }]);
    await r.fake.sendStatuses([{ id, status: "failed", recipient: to, errorCode: 131026, timestamp: t0 + 10 }]);
    // Read implies delivered: delivered takes the read's time; the later "delivered" does not move it.
    expect(await row(r, id)).toMatchObject({ status: "sent", readAt: new Date((t0 + 9) * 1000), deliveredAt: new Date((t0 + 9) * 1000) });
  });

  it("failed after sent marks the row failed with the code; 131049 counts as limited", async () => {
    const r = (rig = await createCloudRig());
    const { broadcastId, waIds, wamid } = await sent(r, 2);
    await r.fake.sendStatuses([
      { id: wamid.get(waIds[0]!)!, status: "failed", recipient: waIds[0]!, errorCode: 131026 },
      { id: wamid.get(waIds[1]!)!, status: "failed", recipient: waIds[1]!, errorCode: 131049 },
    ]);
    expect(await row(r, wamid.get(waIds[0]!)!)).toMatchObject({ status: "failed", lastError: expect.stringContaining("131026") });
    expect(await row(r, wamid.get(waIds[1]!)!)).toMatchObject({ status: "marketing-limited", lastError: expect.stringContaining("131049") });
    expect(await broadcastStatus(r.database.prisma, broadcastId)).toMatchObject({ sent: 0, failed: 1, limited: 1 });
  });

  it("a receipt that arrives before the row knows its wamid is applied once it does", async () => {
    const r = (rig = await createCloudRig());
    const { waIds, wamid } = await sent(r, 1);
    const id = wamid.get(waIds[0]!)!;
    // As if the worker had not yet written the id when Meta posted the receipt.
    await r.database.prisma.outboxMessage.updateMany({ where: { platformMessageId: id }, data: { platformMessageId: null } });
    const rowId = (await r.database.prisma.outboxMessage.findFirstOrThrow({})).id;
    expect(await r.fake.sendStatuses([{ id, status: "delivered", recipient: waIds[0]!, timestamp: t0 }])).toBe(200);
    await r.database.prisma.outboxMessage.update({ where: { id: rowId }, data: { platformMessageId: id } });
    await until(async () => (await row(r, id)).deliveredAt !== null, 8000);
  });

  it("refuses an unsigned receipt: nothing changes", async () => {
    const r = (rig = await createCloudRig());
    const { waIds, wamid } = await sent(r, 1);
    const id = wamid.get(waIds[0]!)!;
    const body = JSON.stringify(statusesPayload(PHONE_ID, [{ id, status: "read", recipient: waIds[0]! }]));
    expect(await postSigned(r.url, body, APP_SECRET, null)).toBe(401);
    expect(await postSigned(r.url, body, "wrong-secret-000")).toBe(401);
    expect(await row(r, id)).toMatchObject({ deliveredAt: null, readAt: null });
  });
});
