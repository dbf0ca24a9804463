/**
 * Stopping with a WhatsApp send in flight (what SIGTERM does: adapters stop, then jobs):
 * the send finishes on the open socket and its row is marked sent, the adapter leaves the
 * messenger so the worker claims no more WhatsApp rows, then the socket closes and the
 * number's lease is released.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { createWhatsAppChannel } from "../../src/channels/whatsapp/index.ts";
import { loadConfig } from "../../src/config.ts";
import { enqueueDirect } from "../../src/features/broadcasts/api.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { makeUser } from "../broadcasts/helpers.ts";
import { createTestDatabase } from "../support/database.ts";
import { fakeSockets, FIXTURE_NOW, memoryLog, storeLinkedSession, until } from "./support.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("WhatsApp shutdown with a send in flight", () => {
  it("the send finishes and is recorded sent, no new rows are taken, the socket closes after it, the lease is released", async () => {
    const database = await createTestDatabase();
    await storeLinkedSession(database.prisma);
    const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://test", WHATSAPP_ENABLED: "true", WHATSAPP_MIN_GAP_MS: "0", WHATSAPP_MAX_GAP_MS: "0" });
    const app = await createApp(config, { database, log: memoryLog("error").log, now: () => FIXTURE_NOW });
    cleanups.push(async () => {
      await app.close();
      await database.cleanup();
    });
    const sockets = fakeSockets();
    const adapter = await createWhatsAppChannel(app.deps, { socketFactory: sockets.factory, openTimeoutMs: 1000, ackWindowMs: 200 });
    await adapter.start(app.core.handle);
    const socket = sockets.latest;
    for (const n of [1, 2]) {
      const u = await makeUser(app.deps.db, { channel: "whatsapp", externalId: `92300111000${n}@s.whatsapp.net` });
      await enqueueDirect(app.deps, [{ userId: u.id, kind: "notice", dedupeKey: `s${n}`, content: { text: { en: `Notice ${n}`, ur: "UR", "ur-Latn": "RU" } } }]);
    }
    let release: () => void = () => undefined;
    socket.gate = new Promise<void>((r) => (release = r));
    const worker = createOutboxWorker(app.deps, { pollMs: 10 });
    worker.start();
    await until(() => socket.calls === 1);

    const stopping = adapter.stop();
    await new Promise((r) => setTimeout(r, 50));
    // Still sending: the socket is open and the number held.
    expect(socket.ended).toBe(0);
    expect(await database.prisma.whatsAppLease.count()).toBe(1);
    expect(app.deps.messenger.capabilities("whatsapp")).toBeUndefined();
    release();
    await stopping;
    await worker.stop();

    expect(socket.ended).toBe(1);
    expect(await database.prisma.whatsAppLease.count()).toBe(0);
    const rows = await app.deps.db.outboxMessage.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => r.status)).toEqual(["sent", "pending"]);
    expect(rows[1]!.attempts).toBe(0);
    expect(socket.calls).toBe(1);
    const texts = socket.texts("923001110001@s.whatsapp.net");
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("Notice 1");
  });
});
