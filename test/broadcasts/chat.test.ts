/**
 * The broadcasts feature in chat: opt-out phrases in three languages, START, WhatsApp
 * consent, Telegram implicit subscription, group linking and the compose flow.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isOptedOut } from "../../src/features/broadcasts/api.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { contentUnderstander } from "../support/understander.ts";
import { makePartner, makeUser } from "./helpers.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Sends a command in a group, addressed to the bot (as the Telegram adapter marks commands). */
async function sendInGroup(app: TestApp, text: string, from: string, chat: { id: string; kind: "group"; title: string }) {
  const message = { ...app.inbound(text, { id: from, chat }), addressedToBot: true };
  const before = app.adapter.sent.length;
  await app.adapter.receive(message);
  return app.adapter.sent.slice(before).filter((s) => s.chatId === chat.id).map((s) => s.message);
}

async function userIdOf(app: TestApp, externalId: string): Promise<number> {
  const identity = await app.app.deps.db.channelIdentity.findFirstOrThrow({ where: { externalId } });
  return identity.userId;
}

describe("opt-out phrases (understood by the understanding step)", () => {
  const understand = (text: string) => contentUnderstander().understand(text);
  const stopsAtOnce = (text: string) => understand(text).intent === "optout" && understand(text).optOut !== "maybe";
  const stops = [
    "STOP", "stop", "Unsubscribe", "/stop", "band karo", "Band karein", "بند کریں", "بند کرو", "mujhe messages mat bhejo",
    "messages na bhejein", "نہ بھیجیں", "مجھے پیغامات نہ بھیجیں", "please stop sending me messages", "messages band kar do",
  ];
  it.each(stops)("recognises %j", (text) => expect(stopsAtOnce(text)).toBe(true));

  const notStops = ["how do I stop my listing from being hidden because of missing documents in my account", "documents mat bhejo abhi", "bus stop near the venue?", "registration", "start"];
  it.each(notStops)("does not take %j for a stop", (text) => expect(understand(text).intent).not.toBe("optout"));

  it("recognises START in three forms", () => {
    for (const text of ["START", "start", "شروع", "shuru karo"]) expect(understand(text).intent).toBe("optin");
    expect(understand("/start p_abc").intent).not.toBe("optin");
    expect(understand("/start").intent).toBe("menu");
  });
});

describe("subscriptions in chat", () => {
  it("tells a Telegram user on /start that announcements will come and how to stop, once", async () => {
    t = await createTestApp({ channel: "telegram" });
    const told = t.app.deps.i18n.t("en")("broadcasts:consent.subscribed");
    const first = await t.send("/start", { id: "511" });
    expect(first.map((r) => r.text)).toEqual([expect.stringMatching(/^Assalam-o-Alaikum/), told]);
    expect((await t.send("/start", { id: "511" })).map((r) => r.text)).not.toContain(told);
    await t.send("STOP", { id: "511" });
    await t.send("/start", { id: "511" });
    expect(await isOptedOut(t.app.deps.db, await userIdOf(t, "511"), "events")).toBe(true);
  });

  it("subscribes a Telegram user on first contact; STOP opts out at once with how to come back", async () => {
    t = await createTestApp({ channel: "telegram" });
    await t.send("/start", { id: "501" });
    const userId = await userIdOf(t, "501");
    const sub = await t.app.deps.db.subscription.findUniqueOrThrow({ where: { userId_topic: { userId, topic: "events" } } });
    expect(sub.status).toBe("subscribed");

    const replies = await t.send("STOP", { id: "501" });
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/START/);
    expect(await isOptedOut(t.app.deps.db, userId, "events")).toBe(true);

    // A later message does not resubscribe them.
    await t.send("hello", { id: "501" });
    expect(await isOptedOut(t.app.deps.db, userId, "events")).toBe(true);

    const back = await t.send("START", { id: "501" });
    expect(back[0]!.text).toMatch(/STOP/);
    expect(await isOptedOut(t.app.deps.db, userId, "events")).toBe(false);
  });

  it("STOP wins inside another feature's conversation (the partner finder asking for a town)", async () => {
    t = await createTestApp({ channel: "telegram" });
    await t.send("nearest partner", { id: "503" });
    const userId = await userIdOf(t, "503");
    const state = await t.app.deps.db.conversationState.findUnique({ where: { userId } });
    expect(state?.flow).toBeTruthy();
    const replies = await t.send("STOP", { id: "503" });
    expect(replies[0]!.text).toBe(t.app.deps.i18n.t("en")("broadcasts:optOut.done"));
    expect(await isOptedOut(t.app.deps.db, userId, "events")).toBe(true);
  });

  it.each([
    ["بند کریں", "ur", /START|شروع/],
    ["mujhe messages mat bhejo", "ur-Latn", /START/],
    ["messages na bhejein", "ur-Latn", /START/],
  ])("opts out on %j and confirms in the user's language", async (text, lang, back) => {
    t = await createTestApp({ channel: "telegram" });
    await t.send("hello", { id: "502" });
    const userId = await userIdOf(t, "502");
    await t.app.deps.db.user.update({ where: { id: userId }, data: { language: lang, languageExplicit: true } });
    const replies = await t.send(text, { id: "502" });
    expect(replies[0]!.text).toBe(t.app.deps.i18n.t(lang as "ur")("broadcasts:optOut.done"));
    expect(replies[0]!.text).toMatch(back);
    expect(await isOptedOut(t.app.deps.db, userId, "events")).toBe(true);
  });

  it("asks WhatsApp users for consent once, after their first answer; only a yes subscribes", async () => {
    t = await createTestApp({ channel: "whatsapp" });
    const first = await t.send("hello", { id: "92300@s.whatsapp.net" });
    const userId = await userIdOf(t, "92300@s.whatsapp.net");
    expect(first.at(-1)!.text).toContain(t.app.deps.i18n.t("en")("broadcasts:consent.question"));
    expect((await t.app.deps.db.subscription.findUniqueOrThrow({ where: { userId_topic: { userId, topic: "events" } } })).status).toBe("asked");

    const second = await t.send("menu", { id: "92300@s.whatsapp.net" });
    expect(second.map((r) => r.text).join("\n")).not.toContain(t.app.deps.i18n.t("en")("broadcasts:consent.question"));

    const yes = await t.send("haan", { id: "92300@s.whatsapp.net" });
    expect(yes[0]!.text).toMatch(/STOP/);
    const sub = await t.app.deps.db.subscription.findUniqueOrThrow({ where: { userId_topic: { userId, topic: "events" } } });
    expect(sub.status).toBe("subscribed");
    expect(sub.consentAt).toBeInstanceOf(Date);
  });

  it("answers consent with words, so the menu's numbers keep their meaning; 'no' leaves them unsubscribed", async () => {
    t = await createTestApp({ channel: "whatsapp" });
    await t.send("hello", { id: "92301@s.whatsapp.net" });
    const userId = await userIdOf(t, "92301@s.whatsapp.net");
    // "2" still picks the menu's second entry (the consent question offered no numbers).
    const menuPick = await t.send("2", { id: "92301@s.whatsapp.net" });
    expect(menuPick[0]!.text).not.toBe(t.app.deps.i18n.t("en")("broadcasts:consent.declined"));
    const no = await t.send("نہیں", { id: "92301@s.whatsapp.net" });
    expect(no[0]!.text).toBe(t.app.deps.i18n.t("ur")("broadcasts:consent.declined"));
    const sub = await t.app.deps.db.subscription.findUniqueOrThrow({ where: { userId_topic: { userId, topic: "events" } } });
    expect(sub.status).toBe("asked");
  });
});

describe("Telegram groups", () => {
  it("explains linking when added, links with a one-time code, unlinks when removed", async () => {
    t = await createTestApp({ channel: "telegram" });
    const db = t.app.deps.db;
    const partner = await makePartner(db, "Sialkot Export Hub");
    await makeUser(db, { channel: "telegram", externalId: "601", memberOf: partner.id });
    const group = { id: "-100777", kind: "group" as const, title: "Sialkot sellers" };

    const added = await t.send({ kind: "event", event: "added-to-group" }, { id: "602", chat: group });
    expect(added[0]!.text).toContain("/linkcode");

    const codeReply = await t.send("/linkcode", { id: "601" });
    const code = /([A-Z0-9]{6})/.exec(codeReply[0]!.text)?.[1];
    expect(code).toBeTruthy();

    const bad = await sendInGroup(t, "/link ZZZZZZ", "601", group);
    expect(bad[0]!.text).toBe(t.app.deps.i18n.t("en")("broadcasts:group.badCode"));

    const linked = await sendInGroup(t, `/link ${code}`, "601", group);
    expect(linked[0]!.text).toContain("Sialkot Export Hub");
    expect((await db.linkedGroup.findFirstOrThrow({ where: { chatId: "-100777" } })).partnerId).toBe(partner.id);

    // The code is spent.
    const again = await sendInGroup(t, `/link ${code}`, "601", { ...group, id: "-100778" });
    expect(again[0]!.text).toBe(t.app.deps.i18n.t("en")("broadcasts:group.badCode"));

    await t.send({ kind: "event", event: "removed-from-group" }, { id: "602", chat: group });
    const row = await db.linkedGroup.findFirstOrThrow({ where: { chatId: "-100777" } });
    expect(row.partnerId).toBeNull();
    expect(row.removedAt).toBeInstanceOf(Date);
  });

  it("refuses a link code to someone who is not a partner", async () => {
    t = await createTestApp({ channel: "telegram" });
    const replies = await t.send("/linkcode", { id: "603" });
    expect(replies[0]!.text).toBe(t.app.deps.i18n.t("en")("broadcasts:linkCode.notPartner"));
  });
});

describe("compose flow", () => {
  it("partner: text → preview with count → confirm → queued; report in chat", async () => {
    t = await createTestApp({ channel: "telegram" });
    const db = t.app.deps.db;
    const partner = await makePartner(db);
    await makeUser(db, { channel: "telegram", externalId: "701", memberOf: partner.id });
    for (let i = 0; i < 3; i++) await makeUser(db, { assignedTo: partner.id });
    await makeUser(db, {}); // someone else's seller: not reached

    const ask = await t.send("/broadcast", { id: "701" });
    expect(ask[0]!.text).toContain(t.app.deps.i18n.t("en")("broadcasts:compose.ownAudience"));
    const preview = await t.send("Export summit in Sialkot on 20 December, 10 am.", { id: "701" });
    expect(preview[0]!.text).toContain("3 recipient");
    expect(await db.outboxMessage.count()).toBe(0);
    const queued = await t.send({ kind: "choice", data: "bc:send:yes" }, { id: "701" });
    const id = Number(/#(\d+)/.exec(queued[0]!.text)?.[1]);
    expect(await db.outboxMessage.count({ where: { broadcastId: id } })).toBe(3);

    const report = await t.send(`/broadcast status ${id}`, { id: "701" });
    expect(report[0]!.text).toContain("queued 3");
  });

  it("refuses a seller who tries to broadcast, and pause/cancel to non-admins", async () => {
    t = await createTestApp({ channel: "telegram" });
    const replies = await t.send("/broadcast", { id: "702" });
    expect(replies[0]!.text).toBe(t.app.deps.i18n.t("en")("broadcasts:errors.notAllowed"));
    const pause = await t.send("/broadcast pause 1", { id: "702" });
    expect(pause[0]!.text).toBe(t.app.deps.i18n.t("en")("broadcasts:errors.adminOnly"));
  });

  it("admin: audience by city, then pause and cancel in chat", async () => {
    t = await createTestApp({ channel: "telegram", env: { SELLER_BOT_ADMINS: "telegram:900" } });
    const db = t.app.deps.db;
    await makeUser(db, { city: "Sialkot" });
    await makeUser(db, { city: "sialkot " });
    await makeUser(db, { city: "Lahore" });
    await t.send("/broadcast", { id: "900" });
    await t.send({ kind: "choice", data: "bc:aud:city" }, { id: "900" });
    await t.send("Sialkot", { id: "900" });
    const preview = await t.send("Buyers' meetup at the Chamber on Friday.", { id: "900" });
    expect(preview[0]!.text).toContain("2 recipient");
    const queued = await t.send({ kind: "choice", data: "bc:send:yes" }, { id: "900" });
    const id = Number(/#(\d+)/.exec(queued[0]!.text)?.[1]);
    expect((await t.send(`/broadcast pause ${id}`, { id: "900" }))[0]!.text).toContain("paused");
    expect((await db.broadcast.findUniqueOrThrow({ where: { id } })).status).toBe("paused");
    await t.send(`/broadcast cancel ${id}`, { id: "900" });
    expect(await db.outboxMessage.count({ where: { broadcastId: id, status: "cancelled" } })).toBe(2);
  });
});
