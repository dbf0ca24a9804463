/**
 * Sending on the Cloud API through the outbox worker: free text inside the 24-hour window,
 * the approved template outside it (or nothing, counted as skipped), choices as buttons,
 * a list or numbers, and each Graph error code turned into what the outbox does.
 */
import { afterEach, describe, expect, it } from "vitest";
import { NO_TEMPLATE_REASON } from "../../src/channels/whatsapp-cloud/index.ts";
import { unescapeWhatsApp } from "../../src/channels/whatsapp/outbound.ts";
import { broadcastStatus, createBroadcast } from "../../src/features/broadcasts/api.ts";
import { createPacer } from "../../src/features/broadcasts/pacer.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import type { BroadcastContent } from "../../src/features/broadcasts/types.ts";
import { makeUser } from "../broadcasts/helpers.ts";
import { graphFailures, type GraphFailure } from "../support/fake-graph-api.ts";
import { createCloudRig, type CloudRig } from "./harness.ts";

let rig: CloudRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const announcement: BroadcastContent = {
  text: { en: "Sialkot Export Summit: you're invited", ur: "سیالکوٹ ایکسپورٹ سمٹ: آپ مدعو ہیں", "ur-Latn": "Sialkot Export Summit: aap mad'oo hain" },
  choices: [
    { data: "ev:rsvp:1:yes", label: { en: "Going", ur: "آؤں گا", "ur-Latn": "Aaunga" } },
    { data: "ev:rsvp:1:maybe", label: { en: "Maybe", ur: "شاید", "ur-Latn": "Shayad" } },
    { data: "ev:rsvp:1:no", label: { en: "Can't", ur: "نہیں آ سکتا", "ur-Latn": "Nahin aa sakta" } },
  ],
  template: {
    purpose: "event-announcement",
    parameters: {
      title: { en: "Sialkot Export Summit", ur: "سیالکوٹ ایکسپورٹ سمٹ" },
      date: { en: "Sun 20 Dec, 10:00", ur: "اتوار 20 دسمبر، 10:00" },
      venue: { en: "Sialkot Chamber of Commerce" },
    },
  },
};

/** A Cloud API user; `wrote`: when they last wrote (opens the window), none: never. */
async function cloudUser(r: CloudRig, waId: string, options: { wrote?: Date; language?: string } = {}) {
  const user = await makeUser(r.database.prisma, { channel: "whatsapp-cloud", externalId: waId, language: options.language });
  if (options.wrote) {
    await r.database.prisma.whatsAppCloudWindow.create({ data: { waId, lastInboundAt: options.wrote } });
    r.fake.wrote(waId, options.wrote);
  }
  return user;
}

function worker(r: CloudRig) {
  const pacer = createPacer({ telegramRatePerSecond: 25, perChatGapMs: 1000, groupPerMinute: 20, whatsappMinGapMs: 0, whatsappMaxGapMs: 0, whatsappCloudRatePerSecond: 60, whatsappCloudUserGapMs: 0 });
  return { pacer, worker: createOutboxWorker(r.app.deps, { pacer, backoffBaseMs: 10, backoffMaxMs: 20 }) };
}

async function announce(r: CloudRig, content: BroadcastContent = announcement) {
  const { broadcastId } = await createBroadcast(r.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content });
  return broadcastId;
}

const hourAgo = () => new Date(Date.now() - 3600_000);

describe("the 24-hour window", () => {
  it("sends free text with buttons inside the window and the approved template outside it", async () => {
    const r = (rig = await createCloudRig());
    await cloudUser(r, "923001000001", { wrote: hourAgo() });
    await cloudUser(r, "923001000002", { wrote: new Date(Date.now() - 25 * 3600_000) });
    await cloudUser(r, "923001000003", { language: "ur" });
    const id = await announce(r);
    await worker(r).worker.drain();

    const inside = r.fake.to("923001000001");
    expect(inside).toHaveLength(1);
    expect(inside[0]!.ok).toBe(true);
    const interactive = (inside[0]!.body as { interactive: { type: string; body: { text: string }; action: { buttons: Array<{ reply: { id: string; title: string } }> } } }).interactive;
    expect(interactive.type).toBe("button");
    expect(unescapeWhatsApp(interactive.body.text)).toContain("Sialkot Export Summit: you're invited");
    expect(interactive.action.buttons.map((b) => b.reply)).toEqual([
      { id: "ev:rsvp:1:yes", title: "Going" },
      { id: "ev:rsvp:1:maybe", title: "Maybe" },
      { id: "ev:rsvp:1:no", title: "Can't" },
    ]);

    for (const [waId, code, values] of [
      ["923001000002", "en", ["Sialkot Export Summit", "Sun 20 Dec, 10:00", "Sialkot Chamber of Commerce"]],
      // Urdu recipient: the Urdu values, English where no Urdu was given.
      ["923001000003", "ur", ["سیالکوٹ ایکسپورٹ سمٹ", "اتوار 20 دسمبر، 10:00", "Sialkot Chamber of Commerce"]],
    ] as const) {
      const sent = r.fake.to(waId);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.ok).toBe(true);
      expect(sent[0]!.body).toMatchObject({
        messaging_product: "whatsapp",
        to: waId,
        type: "template",
        template: { name: "summit_invite", language: { code }, components: [{ type: "body", parameters: values.map((text) => ({ type: "text", text })) }] },
      });
    }
    const status = await broadcastStatus(r.database.prisma, id);
    expect(status).toMatchObject({ sent: 3, skipped: 0, queued: 0, state: "done" });
    // Each row remembers the wamid Meta returned (receipts find it by that).
    const rows = await r.database.prisma.outboxMessage.findMany({ where: { broadcastId: id } });
    expect(rows.map((row) => row.platformMessageId).sort()).toEqual(r.fake.requests.map((q) => q.messageId).sort());
  });

  it("skips users outside the window when the purpose has no template, counted, never as free text", async () => {
    const r = (rig = await createCloudRig({ templates: {} }));
    await cloudUser(r, "923001000011", { wrote: hourAgo() });
    await cloudUser(r, "923001000012");
    const id = await announce(r);
    await worker(r).worker.drain();
    expect(r.fake.to("923001000011")).toHaveLength(1);
    expect(r.fake.to("923001000012")).toHaveLength(0);
    const skipped = await r.database.prisma.outboxMessage.findFirstOrThrow({ where: { broadcastId: id, chatId: "923001000012" } });
    expect(skipped).toMatchObject({ status: "skipped", lastError: NO_TEMPLATE_REASON });
    expect(await broadcastStatus(r.database.prisma, id)).toMatchObject({ sent: 1, skipped: 1, failed: 0, state: "done" });
  });

  it("skips an announcement without a template purpose outside the window", async () => {
    const r = (rig = await createCloudRig());
    await cloudUser(r, "923001000013");
    const { template: _, ...plain } = announcement;
    const id = await announce(r, plain);
    await worker(r).worker.drain();
    expect(r.fake.requests).toHaveLength(0);
    expect(await broadcastStatus(r.database.prisma, id)).toMatchObject({ skipped: 1, sent: 0 });
  });
});

describe("choices and other content", () => {
  const choices = (n: number, label = (i: number) => `Option ${i}`) => Array.from({ length: n }, (_, i) => ({ data: `c:${i + 1}`, label: label(i + 1) }));

  it("sends 3 short choices as buttons, up to 10 as a list, more as numbers", async () => {
    const r = (rig = await createCloudRig());
    const user = await cloudUser(r, "923001000021", { wrote: new Date() });
    const send = (n: number, label?: (i: number) => string) => r.app.deps.messenger.send({ channel: "whatsapp-cloud", chatId: "923001000021", userId: user.id, lang: "en" }, { text: "Pick one", choices: choices(n, label) });
    await send(3);
    await send(5, (i) => `A longer option label ${i}`);
    await send(11);
    const [buttons, list, numbered] = r.fake.to("923001000021");
    expect((buttons!.body as { interactive: { type: string } }).interactive.type).toBe("button");
    const l = (list!.body as { interactive: { type: string; action: { button: string; sections: Array<{ rows: Array<{ id: string; title: string }> }> } } }).interactive;
    expect(l.type).toBe("list");
    expect(l.action.button).toBe("Choose");
    expect(l.action.sections[0]!.rows.map((row) => row.id)).toEqual(["c:1", "c:2", "c:3", "c:4", "c:5"]);
    expect(numbered!.type).toBe("text");
    const text = unescapeWhatsApp((numbered!.body as { text: { body: string } }).text.body);
    expect(text).toMatch(/^1\. Option 1$/m);
    expect(text).toMatch(/^11\. Option 11$/m);
    // The numbers are remembered, so "2" picks the second.
    const state = await r.database.prisma.conversationState.findUnique({ where: { userId: user.id } });
    expect(JSON.parse(state!.choices)).toHaveLength(11);
    expect(r.fake.requests.every((q) => q.ok)).toBe(true);
  });

  it("sends a location pin, and text with WhatsApp markers kept literal", async () => {
    const r = (rig = await createCloudRig());
    await cloudUser(r, "923001000022", { wrote: new Date() });
    await r.app.deps.messenger.send(
      { channel: "whatsapp-cloud", chatId: "923001000022", lang: "en" },
      { text: "Price *50* _net_", location: { latitude: 32.49, longitude: 74.53, name: "Sialkot Chamber", address: "Shahab Pura Road" } },
    );
    const [text, pin] = r.fake.to("923001000022");
    expect((text!.body as { text: { body: string; preview_url: boolean } }).text.body).not.toBe("Price *50* _net_");
    expect(unescapeWhatsApp((text!.body as { text: { body: string } }).text.body)).toBe("Price *50* _net_");
    expect(pin!.body).toMatchObject({ type: "location", location: { latitude: 32.49, longitude: 74.53, name: "Sialkot Chamber", address: "Shahab Pura Road" } });
  });

  it("sends a Cloud API media id again with its caption", async () => {
    const r = (rig = await createCloudRig());
    await cloudUser(r, "923001000023", { wrote: new Date() });
    await r.app.deps.messenger.send({ channel: "whatsapp-cloud", chatId: "923001000023", lang: "en" }, { text: "From a seller" });
    const adapter = r.adapter;
    await adapter.send("923001000023", { text: "Photo from a seller", media: { channel: "whatsapp-cloud", type: "image", ref: "1479537139650973" } });
    const last = r.fake.to("923001000023").at(-1)!;
    expect(last.body).toMatchObject({ type: "image", image: { id: "1479537139650973", caption: "Photo from a seller" } });
  });
});

describe("Graph API errors", () => {
  async function oneRow(failure: GraphFailure) {
    const r = (rig = await createCloudRig({ env: { SELLER_BOT_ADMINS: "console:admin-1" } }));
    await cloudUser(r, "923001000031", { wrote: hourAgo() });
    r.fake.failNext("923001000031", failure);
    const id = await announce(r);
    const w = worker(r);
    const started = Date.now();
    await w.worker.drain();
    const row = await r.database.prisma.outboxMessage.findFirstOrThrow({ where: { broadcastId: id } });
    return { r, id, row, pacer: w.pacer, w: w.worker, tookMs: Date.now() - started };
  }

  it("130429 throughput: the channel pauses, then the row is sent", async () => {
    const { r, row, tookMs } = await oneRow(graphFailures.throughput());
    expect(row.status).toBe("sent");
    expect(r.fake.to("923001000031").map((q) => q.errorCode ?? "ok")).toEqual([130429, "ok"]);
    expect(tookMs).toBeGreaterThanOrEqual(1500);
  });

  it("131056 pair rate: only that user's row waits; the channel goes on", async () => {
    const { row, pacer } = await oneRow(graphFailures.pairRate());
    expect(row.status).toBe("pending");
    expect(row.notBefore.getTime()).toBeGreaterThan(Date.now() + 5000);
    expect(row.lastError).toContain("131056");
    expect(pacer.pausedUntil("whatsapp-cloud")).toBe(0);
  });

  it("131049 marketing limit: not retried, counted apart", async () => {
    const { r, id, row } = await oneRow(graphFailures.marketingLimit());
    expect(row.status).toBe("marketing-limited");
    expect(r.fake.to("923001000031")).toHaveLength(1);
    expect(await broadcastStatus(r.database.prisma, id)).toMatchObject({ limited: 1, failed: 0, sent: 0 });
  });

  it("131026 undeliverable: not retried, the number marked unreachable", async () => {
    const { r, row } = await oneRow(graphFailures.undeliverable());
    expect(row.status).toBe("blocked");
    expect(r.fake.to("923001000031")).toHaveLength(1);
    const identity = await r.database.prisma.channelIdentity.findFirstOrThrow({ where: { channel: "whatsapp-cloud", externalId: "923001000031" } });
    expect(identity.blockedAt).not.toBeNull();
  });

  it("131047 outside the window (Meta's own clock): not retried, skipped", async () => {
    const { r, row } = await oneRow(graphFailures.outsideWindow());
    expect(row.status).toBe("skipped");
    expect(row.lastError).toContain("131047");
    expect(r.fake.to("923001000031")).toHaveLength(1);
  });

  it("5xx and a dropped connection: backoff, then sent", async () => {
    for (const [failure, code] of [
      [graphFailures.serverError(), 131000],
      [graphFailures.badGateway(), 2],
      [graphFailures.network(), "dropped"],
    ] as const) {
      const { r, row: first, w } = await oneRow(failure);
      let row = first;
      // The first attempt failed and was counted; after the (short, in this test) backoff it goes out.
      for (let i = 0; i < 20 && row.status === "pending"; i++) {
        expect(row.attempts).toBe(1);
        await new Promise((res) => setTimeout(res, 25));
        await w.drain();
        row = await r.database.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row.id } });
      }
      expect(row).toMatchObject({ status: "sent", attempts: 1 });
      expect(r.fake.to("923001000031").map((q) => q.errorCode ?? (q.ok ? "ok" : "dropped"))).toEqual([code, "ok"]);
      await rig!.close();
      rig = undefined;
    }
  });

  it("190 token refused: the channel stops, rows wait, admins are told once", async () => {
    const r = (rig = await createCloudRig({ env: { SELLER_BOT_ADMINS: "console:admin-1" } }));
    await makeUser(r.database.prisma, { channel: "console", externalId: "admin-1", role: "admin", subscription: null });
    await cloudUser(r, "923001000041", { wrote: hourAgo() });
    await cloudUser(r, "923001000042", { wrote: hourAgo() });
    r.fake.failNext("*", graphFailures.tokenExpired());
    r.fake.failNext("*", graphFailures.tokenExpired());
    const id = await announce(r);
    const w = createOutboxWorker(r.app.deps, { concurrency: 1 });
    await w.drain();
    expect(r.adapter.refused).toBe(true);
    expect(r.app.deps.messenger.capabilities("whatsapp-cloud")).toBeUndefined();
    // One request reached Meta; nothing more is tried, and nothing is lost.
    expect(r.fake.requests).toHaveLength(1);
    const rows = await r.database.prisma.outboxMessage.findMany({ where: { broadcastId: id } });
    expect(rows.map((row) => row.status).sort()).toEqual(["pending", "pending"]);
    await expect(r.adapter.send("923001000041", { text: "x" })).rejects.toMatchObject({ kind: "unavailable" });
    await new Promise((res) => setTimeout(res, 100));
    const notices = r.console.sent.filter((s) => s.chatId === "admin-1");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message.text).toContain("190");
  });
});
