/**
 * Pause and cancel take effect on rows already claimed (the worker reads the broadcast's
 * state right before each send), the status tells the state and its counts add up to the
 * recipients, a finished broadcast is not paused or cancelled, and the broadcasts list
 * shows admins everything and partners their own.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { UserFacingError } from "../../src/core/errors.ts";
import { broadcastStatus, createBroadcast } from "../../src/features/broadcasts/api.ts";
import type { Pacer } from "../../src/features/broadcasts/pacer.ts";
import { controlBroadcast, listBroadcasts } from "../../src/features/broadcasts/service.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { content, makePartner, makeUser } from "./helpers.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const all = { senderUserId: null, audience: { kind: "all" as const }, topic: "events" as const, content: content() };

/** A pacer that hands out each send slot only when the test opens it: sends claimed, not yet on the wire. */
function gatedPacer() {
  const waiting: Array<() => void> = [];
  const pacer: Pacer = {
    // A fresh overall permit for a send that left late (channelOnly) is not gated: the gate is the send's slot.
    acquire: (_channel, _chat, _group, _abort, channelOnly) => (channelOnly ? Promise.resolve(true) : new Promise<boolean>((resolve) => waiting.push(() => resolve(true)))),
    grant: (_channel, _chat, _group, options) =>
      options?.channelOnly ? Promise.resolve({ ok: true, askedAt: Date.now() }) : new Promise((resolve) => waiting.push(() => resolve({ ok: true, askedAt: Date.now() }))),
    // The gate is the slot, not its age: an opened slot is fresh.
    fresh: async (_channel, _chat, _group, g) => (g.ok ? { ok: true, askedAt: Date.now() } : g),
    reply: async () => undefined,
    pause: () => undefined,
    pausedUntil: () => 0,
    define: () => undefined,
  };
  return { pacer, waiting, openOne: () => waiting.shift()!(), openAll: () => waiting.splice(0).forEach((open) => open()) };
}

async function fiveClaimed() {
  t = await createTestApp({ channel: "telegram", capabilities: { buttons: true } });
  for (let i = 1; i <= 5; i++) await makeUser(t.app.deps.db, { externalId: `c${i}` });
  const { broadcastId } = await createBroadcast(t.app.deps, all);
  const gate = gatedPacer();
  const worker = createOutboxWorker(t.app.deps, { pacer: gate.pacer, pollMs: 10 });
  const drained = worker.drain();
  // All five rows are claimed and waiting for a send slot.
  await vi.waitFor(() => expect(gate.waiting).toHaveLength(5));
  gate.openOne();
  await vi.waitFor(() => expect(t!.adapter.sent).toHaveLength(1));
  return { app: t.app, adapter: t.adapter, broadcastId, gate, worker, drained };
}

describe("pause and cancel stop sends already claimed", () => {
  it("pause: claimed rows are held back before their send and go out on resume", async () => {
    const { app, adapter, broadcastId, gate, worker, drained } = await fiveClaimed();
    await controlBroadcast(app.deps.db, broadcastId, "pause");
    gate.openAll();
    await drained;
    expect(adapter.sent).toHaveLength(1);
    expect(await broadcastStatus(app.deps.db, broadcastId)).toEqual({ queued: 4, sent: 1, failed: 0, blocked: 0, optedOut: 0, cancelled: 0, state: "paused", delivered: 0, read: 0, skipped: 0, limited: 0 });

    await controlBroadcast(app.deps.db, broadcastId, "resume");
    const resumed = worker.drain();
    await vi.waitFor(() => expect(gate.waiting).toHaveLength(4));
    gate.openAll();
    await resumed;
    expect(adapter.sent.map((s) => s.chatId).sort()).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    expect(await broadcastStatus(app.deps.db, broadcastId)).toMatchObject({ queued: 0, sent: 5, state: "done" });
  });

  it("cancel: claimed rows are not sent and count as cancelled; the counts add up to the recipients", async () => {
    const { app, adapter, broadcastId, gate, drained } = await fiveClaimed();
    await controlBroadcast(app.deps.db, broadcastId, "cancel");
    gate.openAll();
    await drained;
    expect(adapter.sent).toHaveLength(1);
    const status = await broadcastStatus(app.deps.db, broadcastId);
    expect(status).toEqual({ queued: 0, sent: 1, failed: 0, blocked: 0, optedOut: 0, cancelled: 4, state: "cancelled", delivered: 0, read: 0, skipped: 0, limited: 0 });
    const { recipients } = await app.deps.db.broadcast.findUniqueOrThrow({ where: { id: broadcastId } });
    expect(status.queued + status.sent + status.failed + status.blocked + status.optedOut + status.cancelled).toBe(recipients);
  });
});

describe("status tells the truth", () => {
  it("queued → sending → done, and a finished broadcast cannot be paused or cancelled", async () => {
    t = await createTestApp({ channel: "telegram" });
    const { app } = t;
    for (let i = 1; i <= 2; i++) await makeUser(app.deps.db, { externalId: `d${i}` });
    const { broadcastId } = await createBroadcast(app.deps, all);
    expect((await broadcastStatus(app.deps.db, broadcastId)).state).toBe("queued");
    const first = await app.deps.db.outboxMessage.findFirstOrThrow({ where: { broadcastId } });
    await app.deps.db.outboxMessage.update({ where: { id: first.id }, data: { status: "sent", sentAt: new Date() } });
    expect((await broadcastStatus(app.deps.db, broadcastId)).state).toBe("sending");
    await createOutboxWorker(app.deps).drain();
    expect(await broadcastStatus(app.deps.db, broadcastId)).toMatchObject({ state: "done", sent: 2, queued: 0 });
    for (const action of ["pause", "cancel"] as const) {
      const refused = await controlBroadcast(app.deps.db, broadcastId, action).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UserFacingError);
      expect((refused as UserFacingError).key).toBe("broadcasts:errors.finished");
    }
    expect((await app.deps.db.broadcast.findUniqueOrThrow({ where: { id: broadcastId } })).status).toBe("active");
  });

  it("in chat: the report names the state, and pausing a finished broadcast says it is finished", async () => {
    t = await createTestApp({ channel: "telegram", env: { SELLER_BOT_ADMINS: "telegram:900" } });
    const { app } = t;
    await makeUser(app.deps.db, { externalId: "e1" });
    const { broadcastId } = await createBroadcast(app.deps, all);
    const en = app.deps.i18n.t("en");
    expect((await t.send(`/broadcast status ${broadcastId}`, { id: "900" }))[0]!.text).toContain(`#${broadcastId} (queued)`);
    await createOutboxWorker(app.deps).drain();
    expect((await t.send(`/broadcast status ${broadcastId}`, { id: "900" }))[0]!.text).toContain(`#${broadcastId} (done)`);
    expect((await t.send(`/broadcast pause ${broadcastId}`, { id: "900" }))[0]!.text).toBe(en("broadcasts:errors.finished", { id: broadcastId }));
  });
});

describe("broadcasts list", () => {
  it("admins see all, a partner's account only its partner's, in chat and from the service", async () => {
    t = await createTestApp({ channel: "telegram", env: { SELLER_BOT_ADMINS: "telegram:900" } });
    const { app } = t;
    const db = app.deps.db;
    const a = await makePartner(db);
    const b = await makePartner(db);
    const staffA = await makeUser(db, { externalId: "801", memberOf: a.id });
    const staffB = await makeUser(db, { externalId: "802", memberOf: b.id });
    await makeUser(db, { assignedTo: a.id });
    await makeUser(db, { assignedTo: b.id });
    const fromA = await createBroadcast(app.deps, { ...all, senderUserId: staffA.id, content: content("from partner A") });
    const fromB = await createBroadcast(app.deps, { ...all, senderUserId: staffB.id, content: content("from partner B") });
    const fromAdmin = await createBroadcast(app.deps, { ...all, content: content("from the team") });

    expect((await listBroadcasts(db)).map((r) => r.id)).toEqual([fromAdmin.broadcastId, fromB.broadcastId, fromA.broadcastId]);
    expect((await listBroadcasts(db, { partnerId: a.id })).map((r) => r.id)).toEqual([fromA.broadcastId]);

    const adminList = (await t.send("/broadcast list", { id: "900" }))[0]!.text;
    for (const id of [fromA, fromB, fromAdmin].map((r) => r.broadcastId)) expect(adminList).toContain(`#${id} `);
    expect(adminList).toContain("EN from the team");
    const partnerList = (await t.send("/broadcast list", { id: "801" }))[0]!.text;
    expect(partnerList).toContain(`#${fromA.broadcastId} `);
    expect(partnerList).toContain("queued");
    expect(partnerList).not.toContain(`#${fromB.broadcastId} `);
    expect(partnerList).not.toContain(`#${fromAdmin.broadcastId} `);
    const seller = (await t.send("/broadcast list", { id: "803" }))[0]!.text;
    expect(seller).toBe(app.deps.i18n.t("en")("broadcasts:list.none"));
  });
});

