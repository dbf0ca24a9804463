/**
 * Telegram paid broadcasts (TELEGRAM_PAID_BROADCAST): an admin's announcement is previewed
 * with Telegram's fee (0.1 Star a message) and sent with allow_paid_broadcast at its own
 * pace; a partner's is not, and the flag never comes from the input.
 */
import { Api } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { sendOutbound } from "../../src/channels/telegram/outbound.ts";
import { createBroadcast } from "../../src/features/broadcasts/api.ts";
import { createPacer, telegramRules, type Clock } from "../../src/features/broadcasts/pacer.ts";
import { paidBroadcastStars } from "../../src/features/broadcasts/service.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createFakeBotApi } from "../support/fake-bot-api.ts";
import { content, makePartner, makeUser } from "../broadcasts/helpers.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const PAID = { TELEGRAM_PAID_BROADCAST: "true", SELLER_BOT_ADMINS: "telegram:900" };

describe("paid broadcasts", () => {
  it("costs 0.1 Star a message, counted in tenths", () => {
    expect(paidBroadcastStars(3)).toBe(0.3);
    expect(paidBroadcastStars(6000)).toBe(600);
  });

  it("an admin's preview states the fee for the Telegram recipients; the sends carry the flag", async () => {
    t = await createTestApp({ channel: "telegram", env: PAID });
    const db = t.app.deps.db;
    for (let i = 0; i < 3; i++) await makeUser(db, {});
    await makeUser(db, { channel: "whatsapp" });
    await t.send("/broadcast", { id: "900" });
    await t.send({ kind: "choice", data: "bc:aud:all" }, { id: "900" });
    const preview = await t.send("Export summit in Sialkot on 20 December, 10 am.", { id: "900" });
    expect(preview[0]!.text).toContain(t.app.deps.i18n.t("en")("broadcasts:compose.paidCost", { count: 3, stars: "0.3" }));
    await t.send({ kind: "choice", data: "bc:send:yes" }, { id: "900" });
    t.adapter.sent.length = 0;
    await createOutboxWorker(t.app.deps, { pollMs: 20 }).drain();
    const announcements = t.adapter.sent.filter((s) => s.message.text.startsWith("Export summit"));
    expect(announcements).toHaveLength(3);
    for (const s of announcements) expect(s.message.paidBroadcast).toBe(true);
  });

  it("a partner's preview has no fee and the sends are not paid, even when the input asks", async () => {
    t = await createTestApp({ channel: "telegram", env: PAID });
    const db = t.app.deps.db;
    const partner = await makePartner(db);
    const member = await makeUser(db, { externalId: "701", memberOf: partner.id });
    for (let i = 0; i < 2; i++) await makeUser(db, { assignedTo: partner.id });
    await t.send("/broadcast", { id: "701" });
    const preview = await t.send("Export summit in Sialkot on 20 December, 10 am.", { id: "701" });
    expect(preview[0]!.text).toContain("2 recipient");
    expect(preview[0]!.text).not.toContain("Star");
    await t.send({ kind: "choice", data: "bc:send:no" }, { id: "701" });
    await createBroadcast(t.app.deps, { senderUserId: member.id, audience: { kind: "all" }, topic: "events", content: { ...content(), paid: true } });
    t.adapter.sent.length = 0;
    await createOutboxWorker(t.app.deps, { pollMs: 20 }).drain();
    expect(t.adapter.sent.length).toBe(2);
    for (const s of t.adapter.sent) expect(s.message.paidBroadcast).toBeUndefined();
  });

  it("off by default: an admin's announcement is an ordinary one", async () => {
    t = await createTestApp({ channel: "telegram", env: { SELLER_BOT_ADMINS: "telegram:900" } });
    await makeUser(t.app.deps.db, {});
    await createBroadcast(t.app.deps, { senderUserId: null, audience: { kind: "all" }, topic: "events", content: content() });
    await createOutboxWorker(t.app.deps, { pollMs: 20 }).drain();
    expect(t.adapter.sent).toHaveLength(1);
    expect(t.adapter.sent[0]!.message.paidBroadcast).toBeUndefined();
  });

  it("the Bot API call carries allow_paid_broadcast only when asked", async () => {
    const fake = await createFakeBotApi({ knownChats: "any" });
    try {
      const api = new Api(fake.token, { apiRoot: fake.url });
      await sendOutbound(api, "42", { text: "Summit", paidBroadcast: true });
      await sendOutbound(api, "43", { text: "Reply" });
      expect(fake.callsTo("sendMessage", "42")[0]!.params.allow_paid_broadcast).toBe(true);
      expect(fake.callsTo("sendMessage", "43")[0]!.params.allow_paid_broadcast).toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  it("the paid lane has its own overall pace and shares the per-chat limit", async () => {
    const clock: Clock & { t: number } = { t: 0, now: () => clock.t, sleep: async (ms) => void (clock.t += ms) };
    const pacer = createPacer({ telegramRatePerSecond: 25, perChatGapMs: 1000, groupPerMinute: 20, whatsappMinGapMs: 0, whatsappMaxGapMs: 0 }, clock);
    pacer.define("telegram-paid", telegramRules({ telegramRatePerSecond: 1000, perChatGapMs: 1000, groupPerMinute: 20 }, "telegram-paid"));
    for (let i = 0; i < 500; i++) await pacer.acquire("telegram-paid", `c${i}`, false);
    // 500 at up to 1000 a second: well under a second, where the free lane would take 20.
    expect(clock.t).toBeLessThan(600);
    const before = clock.t;
    await pacer.acquire("telegram", "c0", false);
    expect(clock.t - before).toBeGreaterThanOrEqual(400);
  });
});
