/**
 * Events in chat on a real database: the guided creation flow, refusals, the seller list,
 * deep links, RSVP replies with the calendar file, attendee export and cancellation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryAdapter } from "../../src/channels/memory/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makeEvent, makePartner, makeUser, subscribe } from "./helpers.ts";

// A fixed clock: "20 Dec 10am" is then 2036-12-20 05:00 UTC. It lies in the future because
// the core expires flows against the real clock (src/core/users.ts) but stamps them with deps.now.
const NOW = new Date("2036-11-27T12:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: () => NOW });
});
afterAll(async () => t.close());

const db = () => t.app.deps.db;
const last = (replies: Array<{ text: string }>) => replies.at(-1)?.text ?? "";

describe("guided creation by a partner", () => {
  it("walks title → time → venue → pin → seats → preview → publish, refusing 0 and -1 seats", async () => {
    const { partner } = await makePartner(db(), "Flow Partners Sialkot", "flow-partner");
    const from = { id: "flow-partner" };
    expect(last(await t.send("new event", from))).toMatch(/What is the event called/);
    expect(last(await t.send("Sialkot Export Summit", from))).toMatch(/When does it start/);
    expect(last(await t.send("tomorrow-ish", from))).toMatch(/could not read that date/);
    expect(last(await t.send("1 Jan 2020 10am", from))).toMatch(/already passed/);
    // Without a year: the full date with weekday and year, to confirm.
    expect(last(await t.send("20 Dec 10am", from))).toMatch(/^That is Sat, 20 Dec 2036, 10:00 am – 2:00 pm PKT\. Is that right\?\n\n1\. Yes/);
    expect(last(await t.send("1", from))).toMatch(/Where is it/);
    expect(last(await t.send("Hotel One, Paris Road, Sialkot", from))).toMatch(/location pin/);
    expect(last(await t.send({ kind: "location", latitude: 32.5, longitude: 74.53 }, from))).toMatch(/How many seats/);
    expect(last(await t.send("0", from))).toMatch(/between 1 and/);
    expect(last(await t.send("-1", from))).toMatch(/between 1 and/);
    expect(last(await t.send("lots", from))).toMatch(/as a number/);
    const preview = last(await t.send("200", from));
    expect(preview).toContain("Sialkot Export Summit");
    expect(preview).toContain("Sat, 20 Dec 2036, 10:00 am – 2:00 pm PKT");
    expect(preview).toContain("Hotel One, Paris Road, Sialkot");
    expect(preview).toMatch(/1\. Publish now\n2\. Save as draft/);
    expect(await db().event.count({ where: { partnerId: partner.id } })).toBe(0);
    const done = last(await t.send("1", from));
    expect(done).toMatch(/Event #\d+ is published/);
    const event = await db().event.findFirstOrThrow({ where: { partnerId: partner.id } });
    expect(event).toMatchObject({ titleEn: "Sialkot Export Summit", venueName: "Hotel One", venueAddress: "Paris Road, Sialkot", latitude: 32.5, longitude: 74.53, capacity: 200, status: "published" });
    expect(event.startsAt.toISOString()).toBe("2036-12-20T05:00:00.000Z");
    const state = await db().conversationState.findUniqueOrThrow({ where: { userId: event.createdByUserId! } });
    expect(state.flow).toBeNull();
  });

  it("saves a draft with \"skip\" for the pin and an end time typed in", async () => {
    const { partner } = await makePartner(db(), "Draft Partners", "draft-partner");
    const from = { id: "draft-partner" };
    for (const text of ["create event", "Lahore Leather Day", "2036-12-22 09:30-17:00", "Expo Centre, Johar Town, Lahore", "skip", "150"]) await t.send(text, from);
    expect(last(await t.send("2", from))).toMatch(/saved as a draft/);
    const event = await db().event.findFirstOrThrow({ where: { partnerId: partner.id } });
    expect(event).toMatchObject({ status: "draft", venueName: "Expo Centre", venueAddress: "Johar Town, Lahore", latitude: null });
    expect([event.startsAt.toISOString(), event.endsAt.toISOString()]).toEqual(["2036-12-22T04:30:00.000Z", "2036-12-22T12:00:00.000Z"]);
    // Drafts are not announceable; "my events" → manage → publish.
    expect(last(await t.send({ kind: "choice", data: `ev:ann:${event.id}` }, from))).toMatch(/still a draft/);
    expect(last(await t.send("my events", from))).toMatch(/Lahore Leather Day \(#\d+, draft\)/);
    expect(last(await t.send({ kind: "choice", data: `ev:manage:${event.id}` }, from))).toMatch(/1\. Publish/);
    expect(last(await t.send({ kind: "choice", data: `ev:pub:${event.id}` }, from))).toMatch(/is published/);
    expect(last(await t.send({ kind: "choice", data: `ev:manage:${event.id}` }, from))).toContain(`/start e_${event.id}`);
  });

  it("asks for the address of a venue typed without one, instead of taking the address as the pin answer", async () => {
    const { partner } = await makePartner(db(), "Hall Partners", "hall-partner");
    const from = { id: "hall-partner" };
    for (const text of ["new event", "Town Hall Meetup", "2037-11-05 11:00"]) await t.send(text, from);
    expect(last(await t.send("Town Hall", from))).toBe("What is the address of Town Hall? (street and town, e.g. \"Paris Road, Sialkot\")");
    expect(last(await t.send("Kutchery Road, Sialkot", from))).toMatch(/location pin/);
    await t.send("skip", from);
    const preview = last(await t.send("80", from));
    expect(preview).toContain("📍 Town Hall, Kutchery Road, Sialkot");
    expect(preview).not.toContain("Town Hall, Town Hall");
    await t.send("1", from);
    expect(await db().event.findFirstOrThrow({ where: { partnerId: partner.id } })).toMatchObject({ venueName: "Town Hall", venueAddress: "Kutchery Road, Sialkot" });
  });

  it("a date without a year: \"no\" asks for the date again; the same event twice is refused", async () => {
    const { partner } = await makePartner(db(), "Twice Partners", "twice-partner");
    const from = { id: "twice-partner" };
    for (const text of ["new event", "Gujranwala Buyers Day"]) await t.send(text, from);
    expect(last(await t.send("3 Mar 10am", from))).toMatch(/^That is Tue, 3 Mar 2037, 10:00 am/);
    expect(last(await t.send("2", from))).toMatch(/When does it start/);
    expect(last(await t.send("3 Mar 2037 11am", from))).toMatch(/Where is it/);
    for (const text of ["GT Road Hall, Gujranwala", "skip", "50"]) await t.send(text, from);
    expect(last(await t.send("1", from))).toMatch(/is published/);
    for (const text of ["new event", "Gujranwala Buyers Day", "3 Mar 2037 11am", "GT Road Hall, Gujranwala", "skip", "50"]) await t.send(text, from);
    const first = await db().event.findFirstOrThrow({ where: { partnerId: partner.id } });
    expect(last(await t.send("1", from))).toBe(t.app.deps.i18n.t("en")("events:errors.duplicate", { id: first.id }));
    expect(await db().event.count({ where: { partnerId: partner.id } })).toBe(1);
  });

  it("leaves the flow on cancel without creating anything", async () => {
    const { partner } = await makePartner(db(), "Cancel Partners", "cancel-partner");
    await t.send("new event", { id: "cancel-partner" });
    await t.send("Something", { id: "cancel-partner" });
    expect(last(await t.send("cancel", { id: "cancel-partner" }))).toMatch(/Cancelled/);
    expect(await db().event.count({ where: { partnerId: partner.id } })).toBe(0);
  });

  it("refuses sellers", async () => {
    expect(last(await t.send("new event", { id: "plain-seller" }))).toMatch(/Only channel partners/);
    const flow = await db().conversationState.findFirst({ where: { user: { identities: { some: { externalId: "plain-seller" } } } } });
    expect(flow?.flow ?? null).toBeNull();
  });
});

describe("announcing from chat", () => {
  it("refuses a seller and a partner announcing another partner's event; nothing queued", async () => {
    const a = await makePartner(db(), "Owner Partner", "owner-partner");
    await makePartner(db(), "Other Partner", "other-partner");
    const event = await makeEvent(t.app.deps, { partnerId: a.partner.id });
    await subscribe(db(), (await makeUser(db())).id, a.partner.id);
    const before = await db().outboxMessage.count();
    expect(last(await t.send({ kind: "choice", data: `ev:annok:${event.id}` }, { id: "a-seller" }))).toMatch(/Only channel partners/);
    expect(last(await t.send({ kind: "choice", data: `ev:annok:${event.id}` }, { id: "other-partner" }))).toMatch(/belongs to another partner/);
    expect(last(await t.send({ kind: "choice", data: `ev:att:${event.id}` }, { id: "other-partner" }))).toMatch(/belongs to another partner/);
    expect(await db().outboxMessage.count()).toBe(before);
    // The owner: preview with the count, then queued.
    expect(last(await t.send({ kind: "choice", data: `ev:ann:${event.id}` }, { id: "owner-partner" }))).toMatch(/to 1 people\?/);
    expect(last(await t.send({ kind: "choice", data: `ev:annok:${event.id}` }, { id: "owner-partner" }))).toMatch(/queued for 1 people/);
    expect(await db().outboxMessage.count()).toBe(before + 1);
  });
});

describe("sellers", () => {
  it("lists upcoming published events (not drafts, cancelled or past) for 'koi event hai?' and 'ایونٹس'", async () => {
    const mine = await makeEvent(t.app.deps, { title: { en: "Faisalabad Textile Summit" }, inHours: 24 * 5 });
    await makeEvent(t.app.deps, { title: { en: "Hidden Draft Summit" }, status: "draft" });
    const gone = await makeEvent(t.app.deps, { title: { en: "Called Off Summit" } });
    await db().event.update({ where: { id: gone.id }, data: { status: "cancelled" } });
    const [list] = await t.send("koi event hai?", { id: "lister" });
    expect(list?.text).toMatch(/Upcoming summits and events|Aane wale summits/);
    expect(list?.choices?.some((c) => c.data === `ev:show:${mine.id}`) ?? list?.text.includes("Faisalabad Textile Summit")).toBe(true);
    expect(list?.text).not.toContain("Hidden Draft Summit");
    expect(list?.text).not.toContain("Called Off Summit");
    const [ur] = await t.send("ایونٹس", { id: "ur-lister" });
    expect(ur?.text).toContain("آنے والے سمٹ");
  });

  it("shows the event for the deep link /start e_<id> with RSVP choices, then confirms Going with an .ics file", async () => {
    const event = await makeEvent(t.app.deps, { title: { en: "Deep Link Summit" } });
    const tg = createMemoryAdapter("telegram", { buttons: true, files: true });
    t.app.deps.messenger.register(tg);
    await tg.start(t.app.core.handle);
    const inbound = (content: Parameters<TestApp["inbound"]>[0]) => ({ ...t.inbound(content, { id: "tg-seller" }), channel: "telegram" as const });
    await tg.receive(inbound(`/start e_${event.id}`));
    const shown = tg.sent.find((s) => s.message.choices?.length)!.message; // then "You will get invitations …"
    expect(shown.text).toContain("Deep Link Summit");
    expect(shown.text).toMatch(/PKT/);
    expect(shown.choices?.map((c) => c.data)).toEqual([`ev:rsvp:${event.id}:going`, `ev:rsvp:${event.id}:maybe`, `ev:rsvp:${event.id}:no`]);
    await tg.receive(inbound({ kind: "choice", data: `ev:rsvp:${event.id}:going` }));
    const confirmed = tg.sent.at(-1)!.message;
    expect(confirmed.text).toMatch(/You're going to Deep Link Summit/);
    expect(confirmed.file).toMatchObject({ filename: `event-${event.id}.ics`, mimeType: "text/calendar" });
    expect(String(confirmed.file?.content)).toContain("SUMMARY:Deep Link Summit");
    t.app.deps.messenger.unregister("telegram");
  });

  it("answers RSVPs by number on a channel without buttons", async () => {
    const event = await makeEvent(t.app.deps, { title: { en: "Numbered Summit" } });
    const [shown] = await t.send(`/start e_${event.id}`, { id: "wa-like" });
    expect(shown?.text).toMatch(/1\. Going\n2\. Maybe\n3\. Can't come/);
    expect(last(await t.send("2", { id: "wa-like" }))).toMatch(/maybe for Numbered Summit/);
  });
});

describe("RSVP from a group announcement", () => {
  it("confirms in the person's private chat, not in the group", async () => {
    const event = await makeEvent(t.app.deps, { title: { en: "Group Summit" } });
    const message = { ...t.inbound({ kind: "choice", data: `ev:rsvp:${event.id}:going` }, { id: "grp-member", chat: { id: "group-1", kind: "group" } }), addressedToBot: true };
    const before = t.adapter.sent.length;
    await t.adapter.receive(message);
    const sent = t.adapter.sent.slice(before);
    expect(sent.map((s) => s.chatId)).toEqual(["grp-member"]);
    expect(sent[0]?.message.text).toMatch(/You're going to Group Summit/);
  });
});

describe("organiser tools", () => {
  it("sends the attendee CSV as a file where possible, a summary elsewhere, and cancels with notices", async () => {
    const { partner } = await makePartner(db(), "Tools Partner", "tools-partner");
    const event = await makeEvent(t.app.deps, { partnerId: partner.id, capacity: 1, title: { en: "Tools Summit" } });
    await t.send({ kind: "choice", data: `ev:rsvp:${event.id}:going` }, { id: "att-1", displayName: "Ayesha" });
    await t.send({ kind: "choice", data: `ev:rsvp:${event.id}:going` }, { id: "att-2", displayName: "Bilal" });
    const summary = last(await t.send({ kind: "choice", data: `ev:att:${event.id}` }, { id: "tools-partner" }));
    expect(summary).toMatch(/going 1, waitlist 1/);
    expect(summary).toContain("Ayesha");

    const files = createMemoryAdapter("telegram", { buttons: true, files: true });
    t.app.deps.messenger.register(files);
    await files.start(t.app.core.handle);
    const member = await db().partnerMember.findFirstOrThrow({ where: { partnerId: partner.id } });
    await db().channelIdentity.create({ data: { channel: "telegram", externalId: "tools-tg", userId: member.userId } });
    await files.receive({ ...t.inbound({ kind: "choice", data: `ev:att:${event.id}` }, { id: "tools-tg" }), channel: "telegram" });
    const csv = files.sent.at(-1)!.message.file;
    expect(csv?.mimeType).toBe("text/csv");
    expect(String(csv?.content)).toMatch(/^name,status,waitlist_position,channel,phone,answered_at_pkt,whatsapp_link,telegram_link\r\nAyesha,going,,console,,/);
    t.app.deps.messenger.unregister("telegram");

    expect(last(await t.send({ kind: "choice", data: `ev:cancel:${event.id}` }, { id: "tools-partner" }))).toMatch(/2 people who answered/);
    expect(last(await t.send({ kind: "choice", data: `ev:cancelok:${event.id}` }, { id: "tools-partner" }))).toMatch(/Tools Summit is cancelled. Notices queued: 2/);
    expect(await db().outboxMessage.count({ where: { dedupeKey: { startsWith: `evcancel:${event.id}:` } } })).toBe(2);
    expect(last(await t.send({ kind: "choice", data: `ev:rsvp:${event.id}:going` }, { id: "att-3" }))).toMatch(/Tools Summit was cancelled/);
  });
});
