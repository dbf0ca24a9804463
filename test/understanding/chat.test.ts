/**
 * The conversation traps of issue 11 through the whole app (real database, real i18next, the
 * in-memory channel without buttons): what a seller sees for each message that used to be
 * misread, and typed answers inside flows.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOptedOut } from "../../src/features/broadcasts/api.ts";
import { assignedPartnerId } from "../../src/features/partners/api.ts";
import { importPartners, parsePartnerCsv } from "../../src/features/partners/repository.ts";
import { makeEvent } from "../events/helpers.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

// Events need a clock in the future of their dates (see test/events/chat.test.ts).
const NOW = new Date("2036-11-27T12:00:00Z");
let t: TestApp;
let seq = 0;
/** A fresh seller id for each conversation. */
const seller = () => ({ id: `trap-${++seq}` });
const texts = (replies: Array<{ text: string }>) => replies.map((r) => r.text).join("\n---\n");
const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const en = (ns: string) => json(`locales/en/${ns}.json`);
const urLatn = (ns: string) => json(`locales/ur-Latn/${ns}.json`);
const ur = (ns: string) => json(`locales/ur/${ns}.json`);
const answer = (topic: string, lang: "en" | "ur" | "ur-Latn") => (json(`content/faq/${topic}.json`).answer[lang] as string).split("\n")[0]!;
const userId = async (externalId: string) => (await t.database.prisma.channelIdentity.findFirstOrThrow({ where: { externalId } })).userId;

beforeAll(async () => {
  t = await createTestApp({ now: () => NOW });
  const parsed = parsePartnerCsv(readFileSync(new URL("../partners/fixtures/partners.csv", import.meta.url), "utf8"));
  if (!parsed.ok) throw new Error("fixture invalid");
  await importPartners(t.app.deps.db, t.database.provider, parsed.rows);
});
afterAll(async () => t.close());

describe("partners", () => {
  it("'مجھے پارٹنر چاہیے' asks for the town; مجھے is not a town and nothing is saved", async () => {
    const from = seller();
    const reply = texts(await t.send("مجھے پارٹنر چاہیے", from));
    expect(reply).toContain(ur("partners").find.askPlace.split("\n")[0]);
    expect(reply).not.toMatch(/Mithi|مٹھی/);
    expect(await t.database.prisma.sellerProfile.findUnique({ where: { userId: await userId(from.id) } })).toBeNull();
  });

  it("'voice note' is not Wah Cantt", async () => {
    const reply = texts(await t.send("voice note", seller()));
    expect(reply).not.toMatch(/Wah/);
    expect(reply).toContain(en("common").notUnderstood);
  });

  it("'sialkot me partner' lists partners near Sialkot", async () => {
    const [reply] = await t.send("salam sir sialkot me partner chahiye", seller());
    expect(reply!.text).toMatch(/nearest to Sialkot|Sialkot ke qareeb/);
    expect(reply!.location?.name).toBe("Alpha Sialkot Agency");
  });

  it("'mera partner kaun hai', 'who is my partner': the seller's own partner, never the definition", async () => {
    const from = seller();
    const none = texts(await t.send("mera partner kaun hai", from));
    expect(none).toContain(urLatn("partners").mine.none);
    expect(none).not.toContain(answer("channel-partner-role", "ur-Latn"));
    await t.send("Lahore", from);
    await t.send("1", from); // picks the nearest: Charlie Lahore Agency
    const mine = texts(await t.send("who is my partner", from));
    expect(mine).toContain(en("partners").mine.header);
    expect(mine).toContain("Charlie Lahore Agency");
  });

  it("'partner' alone finds the nearest partners", async () => {
    const from = seller();
    await t.send("Karachi", from);
    const [reply] = await t.send("partner", from);
    expect(reply!.location?.name).toBe("Delta Karachi Agency");
  });

  it("'partner badalna hai' offers other partners (not the foreign-currency answer) and a pick replaces the partner", async () => {
    const from = seller();
    await t.send("Sialkot", from);
    await t.send("1", from);
    const replies = await t.send("partner badalna hai", from);
    expect(texts(replies)).toContain(urLatn("partners").change.intro);
    expect(texts(replies)).not.toContain(answer("receiving-foreign-currency", "ur-Latn"));
    await t.send("2", from);
    const bravo = await t.database.prisma.partner.findUniqueOrThrow({ where: { name: "Bravo Daska Agency" } });
    expect(await assignedPartnerId(t.app.deps.db, await userId(from.id))).toBe(bravo.id);
  });

  it("a complaint about the partner says what happens next and offers another partner", async () => {
    const from = seller();
    await t.send("Lahore", from);
    const replies = texts(await t.send("mera partner jawab nahi deta", from));
    expect(replies).toContain(urLatn("partners").complaint.text);
    expect(replies).toContain("Charlie Lahore Agency");
  });

  it("'kisi insaan se baat karni hai' gives a person to contact and says the bot cannot hand over yet", async () => {
    const from = seller();
    await t.send("Daska", from);
    const replies = texts(await t.send("kisi insaan se baat karni hai", from));
    expect(replies).toContain(urLatn("partners").human.nearest);
    expect(replies).toContain("Bravo Daska Agency");
  });
});

describe("complaints never unsubscribe", () => {
  it.each(["میرا اکاؤنٹ بند ہو گیا", "mera order band ho gaya", "my account got suspended"])("%j", async (text) => {
    const from = seller();
    await t.send("hello", from); // subscribed on first contact (console)
    const replies = texts(await t.send(text, from));
    expect(await isOptedOut(t.app.deps.db, await userId(from.id), "events")).toBe(false);
    for (const lang of ["en", "ur", "ur-Latn"] as const) expect(replies).not.toContain(json(`locales/${lang}/broadcasts.json`).optOut.done);
  });
});

describe("opt-out precision", () => {
  it("a clear phrase acts at once", async () => {
    const from = seller();
    await t.send("hello", from);
    expect(texts(await t.send("mujhe messages mat bhejo", from))).toBe(urLatn("broadcasts").optOut.done);
    expect(await isOptedOut(t.app.deps.db, await userId(from.id), "events")).toBe(true);
  });

  it("a loose one asks 'Stop announcements? 1 Yes 2 No': 2 keeps them, 1 stops them", async () => {
    const from = seller();
    await t.send("hello", from);
    const ask = texts(await t.send("too many messages", from));
    expect(ask).toContain(en("broadcasts").optOut.confirm);
    expect(ask).toMatch(/1\. Yes, stop them\n2\. No, keep them/);
    expect(texts(await t.send("2", from))).toBe(en("broadcasts").optOut.kept);
    expect(await isOptedOut(t.app.deps.db, await userId(from.id), "events")).toBe(false);
    await t.send("too many messages", from);
    expect(texts(await t.send("1", from))).toBe(en("broadcasts").optOut.done);
    expect(await isOptedOut(t.app.deps.db, await userId(from.id), "events")).toBe(true);
  });

  it("a question about what stopping does gets the unsubscribe answer, and nothing is stopped or asked", async () => {
    const from = seller();
    await t.send("hello", from);
    const reply = texts(await t.send("if i send stop will i still get reminders for my events?", from));
    expect(reply).toContain(answer("unsubscribe", "en"));
    expect(reply).not.toContain(en("broadcasts").optOut.confirm);
    expect(await isOptedOut(t.app.deps.db, await userId(from.id), "events")).toBe(false);
  });

  it("the question takes a typed yes, and STOP while it is open still stops", async () => {
    const a = seller();
    await t.send("hello", a);
    await t.send("itne messages kyun aa rahe hain", a);
    expect(texts(await t.send("haan", a))).toBe(urLatn("broadcasts").optOut.done);
    const b = seller();
    await t.send("hello", b);
    await t.send("too many messages", b);
    expect(texts(await t.send("STOP", b))).toBe(en("broadcasts").optOut.done);
    expect(await isOptedOut(t.app.deps.db, await userId(b.id), "events")).toBe(true);
  });
});

describe("small talk and questions", () => {
  it("'theek hai' and 'bohat acha' are acknowledgements, not the samples or analytics answers", async () => {
    for (const text of ["theek hai", "bohat acha"]) {
      const reply = texts(await t.send(text, seller()));
      expect(reply).toBe(urLatn("common").smallTalk.ack);
      expect(reply).not.toContain(answer("samples", "ur-Latn"));
      expect(reply).not.toContain(answer("store-analytics", "ur-Latn"));
    }
  });

  it("'shukriya', 'Allah Hafiz', 'ok' get a short reply in the user's language, never 'could not find an answer'", async () => {
    expect(texts(await t.send("shukriya", seller()))).toBe(urLatn("common").smallTalk.thanks);
    expect(texts(await t.send("Allah Hafiz", seller()))).toBe(urLatn("common").smallTalk.bye);
    expect(texts(await t.send("ok", seller()))).toBe(en("common").smallTalk.ack);
    expect(texts(await t.send("شکریہ", seller()))).toBe(ur("common").smallTalk.thanks);
  });

  it("a greeting in front of a question is the question", async () => {
    const reply = texts(await t.send("AoA bhai fees kitni hai", seller()));
    expect(reply).toContain(answer("membership-fees", "ur-Latn"));
  });

  it("'رجسٹریشن کیسے کروں' answers registration, not the events list", async () => {
    const reply = texts(await t.send("رجسٹریشن کیسے کروں", seller()));
    expect(reply).toContain(answer("register-account", "ur"));
  });

  it("'pehla order mil gaya' is confirmed in Roman Urdu, and saved on yes", async () => {
    const from = seller();
    const ask = texts(await t.send("pehla order mil gaya", from));
    expect(ask).toContain("Pehla order mil gaya");
    expect(ask).not.toMatch(/First order received/);
    const saved = texts(await t.send("haan", from));
    expect(saved).toMatch(/✅ Pehla order mil gaya/);
  });

  it("'urdu' switches the reply language", async () => {
    const from = seller();
    expect(texts(await t.send("urdu", from))).toBe(ur("common").language.changed);
    expect(texts(await t.send("ok", from))).toBe(ur("common").smallTalk.ack);
  });
});

describe("in flows", () => {
  it("typed RSVPs count after an event is shown: 'aaunga', 'going', 'nahi aa sakta'", async () => {
    const event = await makeEvent(t.app.deps, { title: { en: "Typed RSVP Summit" }, inHours: 24 * 400 });
    for (const [text, status] of [["aaunga", "going"], ["going", "going"], ["inshallah", "going"], ["ان شاء اللہ", "going"], ["nahi aa sakta", "no"], ["shayad", "maybe"]] as const) {
      const from = seller();
      await t.send({ kind: "choice", data: `ev:show:${event.id}` }, from);
      const reply = texts(await t.send(text, from));
      expect(reply).toContain("Typed RSVP Summit");
      const rsvp = await t.database.prisma.rsvp.findUniqueOrThrow({ where: { eventId_userId: { eventId: event.id, userId: await userId(from.id) } } });
      expect(rsvp.status).toBe(status);
    }
  });

  it("'haan' answers the event just shown; 'my events' then lists the answer", async () => {
    const event = await makeEvent(t.app.deps, { title: { en: "Haan Summit" }, inHours: 24 * 401 });
    const from = seller();
    await t.send({ kind: "choice", data: `ev:show:${event.id}` }, from);
    await t.send("haan", from);
    const mine = texts(await t.send("mere events", from));
    expect(mine).toContain("Haan Summit");
  });

  it("'skip' skips the location pin in the event creation flow", async () => {
    const partnerUser = await t.database.prisma.user.create({ data: { role: "partner", identities: { create: { channel: "console", externalId: "trap-partner" } } } });
    const partner = await t.database.prisma.partner.create({ data: { name: "Trap Partner", code: "trappartner", city: "Sialkot", latitude: 32.49, longitude: 74.52, approved: true } });
    await t.database.prisma.partnerMember.create({ data: { userId: partnerUser.id, partnerId: partner.id, status: "approved", approvedAt: NOW } });
    const from = { id: "trap-partner" };
    for (const text of ["new event", "Skip Summit", "20 Dec 10am", "1", "Hall One, Sialkot"]) await t.send(text, from);
    expect(texts(await t.send("skip", from))).toMatch(/How many seats/);
  });

  it("0, 7 and 99 at a 6-item menu: 0 is the menu, the others 'reply 1–6' and the list again", async () => {
    const from = seller();
    const [menu] = await t.send("hello", from);
    const items = (menu!.text.match(/^\d\. /gm) ?? []).length;
    expect(items).toBeGreaterThanOrEqual(5);
    for (const n of ["7", "99"]) {
      const [again] = await t.send(n, from);
      expect(again!.text).toContain(en("common").choices.outOfRange.replace("{{max}}", String(items)));
      expect((again!.text.match(/^\d\. /gm) ?? []).length).toBe(items);
    }
    const [zero] = await t.send("0", from);
    expect(zero!.text).toContain(en("common").menu.title);
    expect(zero!.text).not.toContain(en("common").notUnderstood);
    // The list still works after all that.
    const [pick] = await t.send("1", from);
    expect(pick!.text).not.toContain(en("common").choices.outOfRange.slice(0, 20));
  });

  it("STOP still wins inside a flow (the partner finder asking for a town)", async () => {
    const from = seller();
    await t.send("hello", from);
    await t.send("nearest partner", from);
    expect(texts(await t.send("STOP", from))).toBe(en("broadcasts").optOut.done);
  });
});

describe("events", () => {
  it("'lahore mein koi event hai' lists events near Lahore", async () => {
    await makeEvent(t.app.deps, { title: { en: "Lahore Leather Meetup" }, venue: { name: "Expo Centre", address: "Johar Town, Lahore", latitude: 31.47, longitude: 74.27 }, inHours: 24 * 402 });
    const reply = texts(await t.send("lahore mein koi event hai", seller()));
    expect(reply).toContain(urLatn("events").list.near.replace("{{place}}", "Lahore"));
    expect(reply).toContain("Lahore Leather Meetup");
    expect(reply).not.toContain("Typed RSVP Summit");
  });
});

describe("bad input gets one sensible reply", () => {
  const cases: Array<[string, string]> = [
    ["100 KB", "partner ".repeat(12_800)],
    ["emoji only", "🎉🎉"],
    ["digits only", "1234567"],
    ["a lone ?", "?"],
    ["zero-width characters", "\u200Bshukriya\u200D"],
    ["mixed scripts in one word", "mera پارٹنرkaun hai"],
  ];
  it.each(cases)("%s", async (_name, text) => {
    const replies = await t.send(text, seller());
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(replies.length).toBeLessThanOrEqual(2);
    expect(texts(replies)).not.toMatch(/Error|at \w+ \(|something went wrong/i);
  });
});

describe("bad input is answered in the language it was written in", () => {
  // Texts with no letters (emoji, digits, "?") are read as English (the nominal language).
  it.each([
    ["Arabic-keyboard letters", "ميرا پارٹنر كون هے", () => ur("partners").mine.none],
    ["Arabic-keyboard thanks", "شكريه", () => ur("common").smallTalk.thanks],
    ["zero-width characters", "shuk\u200Briya", () => urLatn("common").smallTalk.thanks],
    ["zero-width joiner in Urdu", "شک\u200Cریہ", () => ur("common").smallTalk.thanks],
    // Urdu script in any real amount is read as Urdu (decision 0100).
    ["mixed scripts in one word", "mera پارٹنرkaun hai", () => ur("partners").mine.none],
    ["a thumbs-up only", "👍", () => en("common").smallTalk.ack],
    ["an emoji the bot cannot read", "😡", () => en("common").notUnderstood],
    ["a lone ?", "?", () => en("common").notUnderstood],
    ["digits only", "1234567", () => en("common").notUnderstood],
    ["100 KB of Roman Urdu", "mera partner kaun hai ".repeat(4800), () => urLatn("partners").mine.none],
    ["100 KB of Urdu", "میرا پارٹنر کون ہے ".repeat(5500), () => ur("partners").mine.none],
  ] as Array<[string, string, () => string]>)("%s", async (_name, text, expected) => {
    const replies = await t.send(text, seller());
    expect(texts(replies)).toContain(expected());
  });
});

describe("reply language", () => {
  it("follows the language written in, until the user chooses one", async () => {
    const from = seller();
    expect(texts(await t.send("shukriya", from))).toBe(urLatn("common").smallTalk.thanks);
    expect(texts(await t.send("شکریہ", from))).toBe(ur("common").smallTalk.thanks);
    expect(texts(await t.send("thanks", from))).toBe(en("common").smallTalk.thanks);
    await t.send("english please", from);
    expect(texts(await t.send("shukriya", from))).toBe(en("common").smallTalk.thanks);
    expect(texts(await t.send("شکریہ", from))).toBe(en("common").smallTalk.thanks);
  });
});
