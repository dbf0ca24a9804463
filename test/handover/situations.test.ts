/**
 * The handover's other paths, on the memory channel (as the local console, and as WhatsApp
 * with media for voice notes): STOP, the silence timeout, escalation in working hours,
 * complaints, no partner, a partner who is not the seller's, voice-note consent, a restart.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChannelError } from "../../src/core/errors.ts";
import { createHandoverRig, setUpCast, since, START, userIdOf, type HandoverRig } from "./helpers.ts";

const HOUR = 3600_000;
let rig: HandoverRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function openFor(r: HandoverRig, assign = true) {
  const cast = await setUpCast(r, { assign, sellerLang: "en" });
  await r.say(cast.seller, "I want to talk to a person");
  await r.settle();
  const handover = await r.database.prisma.handover.findUniqueOrThrow({ where: { openSellerId: cast.sellerId } });
  return { ...cast, handover };
}

describe("handover situations", () => {
  it("STOP during a handover opts out as usual, ends the handover and tells the partner", async () => {
    rig = await createHandoverRig("console");
    const c = await openFor(rig);
    const mark = rig.sent(c.seller).length;
    const staffMark = rig.sent(c.partner).length;
    await rig.say(c.seller, "STOP");
    await rig.settle();
    const t = rig.app.deps.i18n.t("en");
    expect(since(rig, c.seller, mark).map((m) => m.text)).toEqual([t("broadcasts:optOut.done"), t("handover:closed.stop", { name: "Alpha Sialkot Agency" })]);
    expect(since(rig, c.partner, staffMark).map((m) => m.text)).toEqual([`Bilal sent STOP: handover ${c.handover.code} is closed.`]);
    const h = await rig.database.prisma.handover.findUniqueOrThrow({ where: { id: c.handover.id } });
    expect(h).toMatchObject({ status: "closed", closedReason: "stop" });
    const sub = await rig.database.prisma.subscription.findFirstOrThrow({ where: { userId: c.sellerId } });
    expect(sub.status).toBe("opted-out");
  });

  it("after 24 hours of silence it closes itself and the seller and partner are told; activity restarts the count", async () => {
    rig = await createHandoverRig("console");
    const c = await openFor(rig);
    rig.advance(20 * HOUR);
    await rig.say(c.seller, "koi hai?");
    rig.advance(20 * HOUR);
    expect((await rig.handover().job.runOnce()).timedOut).toBe(0);
    const mark = rig.sent(c.seller).length;
    const staffMark = rig.sent(c.partner).length;
    rig.advance(5 * HOUR);
    const run = await rig.handover().job.runOnce();
    expect(run.timedOut).toBe(1);
    expect(since(rig, c.seller, mark).map((m) => m.text)).toEqual([
      "No messages for 24 hours, so I've closed your conversation with Alpha Sialkot Agency. I'm answering you again: send 0 for the menu, or ask for a person any time.",
    ]);
    expect(since(rig, c.partner, staffMark).map((m) => m.text)).toEqual([`Handover ${c.handover.code} with Bilal closed itself after 24 hours without messages.`]);
    expect((await rig.handover().job.runOnce()).timedOut).toBe(0);
    // The bot answers the seller itself again.
    const after = rig.sent(c.seller).length;
    await rig.say(c.seller, "salam");
    expect(since(rig, c.seller, after)[0]!.text).toMatch(/Assalam/);
  });

  it("the silence timeout is configurable", async () => {
    rig = await createHandoverRig("console", { env: { HANDOVER_IDLE_HOURS: "2" } });
    const c = await openFor(rig);
    rig.advance(2.5 * HOUR);
    expect((await rig.handover().job.runOnce()).timedOut).toBe(1);
    expect(rig.sent(c.seller).at(-1)!.text).toMatch(/^No messages for 2 hours/);
  });

  it("a partner who does not pick up within 4 working hours: the admins are told once, and can answer", async () => {
    // Saturday 5 Dec 2026, 16:00 in Pakistan: two working hours left that day, Sunday off.
    rig = await createHandoverRig("console", { start: new Date("2026-12-05T11:00:00Z"), env: { HANDOVER_IDLE_HOURS: "72" } });
    const c = await openFor(rig);
    expect(c.handover.pickupDueAt.toISOString()).toBe("2026-12-07T06:00:00.000Z"); // Monday 11:00 PKT
    const adminMark = rig.sent(c.admin).length;
    rig.advance(20 * HOUR); // Sunday noon: 20 hours later, but no working time passed
    expect((await rig.handover().job.runOnce()).escalated).toBe(0);
    rig.advance(20 * HOUR); // Monday 08:00 PKT
    expect((await rig.handover().job.runOnce()).escalated).toBe(0);
    rig.advance(3.5 * HOUR); // Monday 11:30 PKT: four working hours have passed
    const run = await rig.handover().job.runOnce();
    expect(run.escalated).toBe(1);
    const [notice] = since(rig, c.admin, adminMark);
    expect(notice!.text).toContain(`Alpha Sialkot Agency has not answered Bilal within 4 working hours (handover ${c.handover.code})`);
    expect(notice!.text).toContain("Seller: Bilal · Sialkot");
    expect((await rig.handover().job.runOnce()).escalated).toBe(0);
    expect(rig.sent(c.admin)).toHaveLength(adminMark + 1);
    // The admin answers by replying to the escalation notice: the seller hears from the team.
    const mark = rig.sent(c.seller).length;
    await rig.say(c.admin, "Hum aap ki madad karte hain.", { replyTo: notice!.messageId });
    await rig.settle();
    expect(since(rig, c.seller, mark).map((m) => m.text)).toEqual(["From the programme team:\n\nHum aap ki madad karte hain."]);
  });

  it("a partner who answered in time is not escalated", async () => {
    rig = await createHandoverRig("console");
    const c = await openFor(rig);
    await rig.say(c.partner, `/reply ${c.handover.code} Ji, bataiye`);
    rig.advance(6 * HOUR);
    expect((await rig.handover().job.runOnce()).escalated).toBe(0);
  });

  it("complaint.partner goes to the admins with the partner's name; the partner complained about gets nothing and cannot answer", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig, { sellerLang: "en" });
    const staffMark = rig.sent(c.partner).length;
    const adminMark = rig.sent(c.admin).length;
    const mark = rig.sent(c.seller).length;
    await rig.say(c.seller, "mera partner jawab nahi deta");
    await rig.settle();
    expect(since(rig, c.seller, mark).map((m) => m.text)).toEqual([
      "Sorry to hear that. I've passed your complaint about Alpha Sialkot Agency to the programme team: a team member will answer you here within 4 working hours (Mon–Sat 09:00–18:00). Until then I'll pass on everything you write here.",
    ]);
    const h = await rig.database.prisma.handover.findUniqueOrThrow({ where: { openSellerId: c.sellerId } });
    expect(h).toMatchObject({ reason: "complaint.partner", partnerId: null, aboutPartnerId: c.alphaId });
    const [notice] = since(rig, c.admin, adminMark);
    expect(notice!.text).toContain(`Bilal complains about their partner Alpha Sialkot Agency (handover ${h.code})`);
    expect(rig.sent(c.partner)).toHaveLength(staffMark);
    await rig.say(c.partner, `/reply ${h.code} main to jawab deti hoon`);
    expect(rig.sent(c.partner).at(-1)!.text).toBe(`Handover ${h.code} belongs to another partner: you can't answer or close it.`);
    expect(rig.sent(c.seller)).toHaveLength(mark + 1);
  });

  it("with no partner assigned the admins get the notice and the seller is told the programme team answers", async () => {
    rig = await createHandoverRig("console");
    const c = await openFor(rig, false);
    expect(c.handover.partnerId).toBeNull();
    expect(rig.sent(c.seller).at(-1)!.text).toMatch(/^I've passed this to the programme team\. Someone usually answers within 4 working hours/);
    expect(rig.sent(c.admin).at(-1)!.text).toContain(`/reply ${c.handover.code}`);
    expect(rig.sent(c.partner).some((m) => m.text.includes(c.handover.code))).toBe(false);
    // No escalation for a handover the admins have themselves.
    rig.advance(6 * HOUR);
    expect((await rig.handover().job.runOnce()).escalated).toBe(0);
  });

  it("a partner whose agency has no bot account: the admins get it, told so", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig, { sellerLang: "en" });
    await rig.database.prisma.partnerMember.deleteMany({ where: { partnerId: c.alphaId } });
    await rig.say(c.seller, "insaan se baat");
    await rig.settle();
    expect(rig.sent(c.admin).at(-1)!.text).toContain("Their partner Alpha Sialkot Agency has no bot account, so this comes to the admins.");
  });

  it("another partner cannot answer or close it, by code or by number; a seller cannot use the staff commands", async () => {
    rig = await createHandoverRig("console");
    const c = await openFor(rig);
    const mark = rig.sent(c.seller).length;
    await rig.say(c.otherPartner, `/reply ${c.handover.code} main Bravo se hoon`);
    expect(rig.sent(c.otherPartner).at(-1)!.text).toBe(`Handover ${c.handover.code} belongs to another partner: you can't answer or close it.`);
    await rig.say(c.otherPartner, `/done ${c.handover.code}`);
    expect(rig.sent(c.otherPartner).at(-1)!.text).toBe(`Handover ${c.handover.code} belongs to another partner: you can't answer or close it.`);
    await rig.say(c.otherPartner, "/handovers");
    expect(rig.sent(c.otherPartner).at(-1)!.text).toBe("No open handovers.");
    await rig.settle();
    expect(rig.sent(c.seller)).toHaveLength(mark);
    expect((await rig.database.prisma.handover.findUniqueOrThrow({ where: { id: c.handover.id } })).status).toBe("open");
    await rig.say(c.seller, `/reply ${c.handover.code} hello`);
    expect(rig.sent(c.seller).at(-1)!.text).toBe("Only partners and admins can answer handovers.");
    await rig.say(c.partner, "/reply HZZZZ hello");
    expect(rig.sent(c.partner).at(-1)!.text).toBe("There is no open handover HZZZZ. Send /handovers to see the open ones.");
  });

  it("/handovers: the partner sees theirs, the admin all, with age and last message", async () => {
    rig = await createHandoverRig("console");
    const c = await openFor(rig);
    await rig.say(c.seller, "mera account verify nahi ho raha");
    rig.advance(3 * HOUR);
    await rig.say(c.partner, "/handovers");
    const list = rig.sent(c.partner).at(-1)!.text;
    expect(list).toContain("Open handovers (1):");
    expect(list).toContain(`${c.handover.code} · Bilal (Sialkot) · Alpha Sialkot Agency · opened 3 h ago · waiting for an answer`);
    expect(list).toContain("Last: mera account verify nahi ho raha");
    await rig.say(c.admin, "/handovers");
    expect(rig.sent(c.admin).at(-1)!.text).toContain(c.handover.code);
  });

  it("a restart in the middle: the notice, the answer and the passing-on work from the database", async () => {
    rig = await createHandoverRig("console");
    const c = await openFor(rig);
    const notice = rig.sent(c.partner).at(-1)!;
    await rig.restart();
    const mark = rig.sent(c.seller).length;
    await rig.say(c.partner, "Main haazir hoon.", { replyTo: notice.messageId });
    await rig.settle();
    expect(since(rig, c.seller, mark).map((m) => m.text)).toEqual(["From your partner Alpha Sialkot Agency:\n\nMain haazir hoon."]);
    await rig.restart();
    const staffMark = rig.sent(c.partner).length;
    await rig.say(c.seller, "shukriya, mera sawal yeh hai");
    await rig.settle();
    expect(since(rig, c.partner, staffMark).map((m) => m.text)).toEqual([`Bilal (${c.handover.code}): shukriya, mera sawal yeh hai`]);
  });

  it("a message queued before a crash is delivered after the restart, once", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig, { sellerLang: "en" });
    const staffMark = rig.sent(c.partner).length;
    await rig.say(c.seller, "insaan se baat");
    // The process dies before its job sends the notice: the row is in the database.
    expect(await rig.database.prisma.handoverDelivery.count({ where: { status: "pending" } })).toBe(1);
    await rig.restart();
    await rig.settle();
    await rig.settle();
    expect(since(rig, c.partner, staffMark)).toHaveLength(1);
  });

  it("a notice the platform refuses for a while is sent later, once; a blocked chat is not retried", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig, { sellerLang: "en" });
    const staffMark = rig.sent(c.partner).length;
    rig.failSends(c.partner.id, new ChannelError("network", "connection reset"));
    await rig.say(c.seller, "insaan se baat");
    await rig.settle();
    const row = await rig.database.prisma.handoverDelivery.findFirstOrThrow({ where: { userId: { not: c.sellerId } } });
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: "connection reset" });
    rig.failSends(c.partner.id, undefined);
    await rig.settle();
    expect(since(rig, c.partner, staffMark)).toHaveLength(0); // not before its backoff
    rig.advance(60_000);
    await rig.settle();
    await rig.settle();
    expect(since(rig, c.partner, staffMark)).toHaveLength(1);
    expect((await rig.database.prisma.handoverDelivery.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("sent");

    // The seller blocks the bot: the answer is marked blocked and never retried.
    const h = await rig.database.prisma.handover.findUniqueOrThrow({ where: { openSellerId: c.sellerId } });
    rig.failSends(c.seller.id, new ChannelError("blocked", "bot was blocked by the user"));
    await rig.say(c.partner, `/reply ${h.code} Ji bataiye`);
    await rig.settle();
    rig.advance(3600_000);
    await rig.settle();
    const answer = await rig.database.prisma.handoverDelivery.findFirstOrThrow({ where: { userId: c.sellerId }, orderBy: { id: "desc" } });
    expect(answer).toMatchObject({ status: "blocked", attempts: 1 });
  });

  it("an Urdu-script request gets the Urdu answer, and the partner's notice shows the seller's language", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig);
    await rig.say(c.seller, "کسی بندے سے بات کرائیں");
    await rig.settle();
    expect(rig.sent(c.seller).at(-1)!.text).toBe(
      "میں نے آپ کی بات آپ کے پارٹنر Alpha Sialkot Agency تک پہنچا دی ہے۔ وہ عموماً 4 دفتری گھنٹوں (پیر–ہفتہ 09:00–18:00) کے اندر جواب دیتے ہیں۔ تب تک آپ یہاں جو لکھیں گے وہ میں ان تک پہنچاتا رہوں گا۔ مینو کے لیے 0 بھیجیں۔",
    );
    expect(rig.sent(c.partner).at(-1)!.text).toContain("language: اردو");
  });

  it("with the job running, the notice goes out at once without waiting for a poll", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig, { sellerLang: "en" });
    const job = rig.handover().job;
    job.start();
    try {
      const staffMark = rig.sent(c.partner).length;
      await rig.say(c.seller, "insaan se baat");
      const start = Date.now();
      while (since(rig, c.partner, staffMark).length === 0 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
      expect(since(rig, c.partner, staffMark)).toHaveLength(1);
    } finally {
      await job.stop();
    }
  });

  it("the FAQ's 'talk to a person' button opens a handover too", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig, { sellerLang: "en" });
    await rig.say(c.seller, { kind: "choice", data: "faq:topic:talk-to-human" });
    expect(rig.sent(c.seller).at(-1)!.text).toMatch(/^I've passed this to your partner, Alpha Sialkot Agency\./);
    expect(await rig.database.prisma.handover.count({ where: { openSellerId: c.sellerId } })).toBe(1);
  });

  it("two requests at once open one handover (the unique open seller id decides)", async () => {
    rig = await createHandoverRig("console");
    const c = await setUpCast(rig, { sellerLang: "en" });
    const { service } = rig.handover();
    const input = { sellerId: c.sellerId, reason: "human" as const, channel: rig.channel, chatId: c.seller.id, lastMessage: "agent" };
    const results = await Promise.all([service.open(input), service.open(input), service.open(input)]);
    expect(results.filter((r) => r.kind === "opened")).toHaveLength(1);
    expect(await rig.database.prisma.handover.count({ where: { sellerId: c.sellerId } })).toBe(1);
    expect(await rig.database.prisma.handoverDelivery.count()).toBe(1);
  });
});

describe("voice notes (memory channel as WhatsApp, which can send media back)", () => {
  const voice = { kind: "voice" as const, media: { channel: "whatsapp" as const, type: "voice" as const, ref: '{"id":"3EB0VOICE1","remoteJid":"923001110001@s.whatsapp.net"}', mimeType: "audio/ogg; codecs=opus", durationSeconds: 7 } };

  it("asks first; 2 (No) passes nothing on, 1 (Yes) hands the voice note itself to the partner", async () => {
    rig = await createHandoverRig("whatsapp-memory");
    const c = await setUpCast(rig, { sellerLang: "en" });
    const staffMark = rig.sent(c.partner).length;
    let mark = rig.sent(c.seller).length;
    await rig.say(c.seller, voice);
    const [ask] = since(rig, c.seller, mark);
    expect(ask!.text).toContain("Shall I pass your voice note to your partner, Alpha Sialkot Agency?");
    expect(ask!.text).toMatch(/1\. Yes\n2\. No/);
    await rig.say(c.seller, "2");
    await rig.settle();
    expect(rig.sent(c.seller).at(-1)!.text).toBe("OK, I won't pass it on. You can type your question, or send 0 for the menu.");
    expect(await rig.database.prisma.handover.count()).toBe(0);
    expect(rig.sent(c.partner)).toHaveLength(staffMark);

    await rig.say(c.seller, voice);
    mark = rig.sent(c.seller).length;
    await rig.say(c.seller, "1");
    await rig.settle();
    expect(since(rig, c.seller, mark)[0]!.text).toMatch(/^I've passed this to your partner, Alpha Sialkot Agency\./);
    const [notice, media] = since(rig, c.partner, staffMark);
    const h = await rig.database.prisma.handover.findUniqueOrThrow({ where: { openSellerId: c.sellerId } });
    expect(h.reason).toBe("voice");
    expect(notice!.text).toContain(`Bilal sent a voice note for you (handover ${h.code})`);
    expect(notice!.text).toContain("https://wa.me/923001110001");
    expect(media!.media).toEqual(voice.media);
    expect(media!.text).toBe(`🎤 Voice note from Bilal (handover ${h.code})`);

    // A voice note during the handover is passed on as it is, without asking.
    const more = rig.sent(c.partner).length;
    await rig.say(c.seller, voice);
    await rig.settle();
    expect(since(rig, c.partner, more).map((m) => m.media)).toEqual([voice.media]);
  });

  it("where the partner's channel cannot send the file, the notice says where to hear it", async () => {
    rig = await createHandoverRig("whatsapp-memory", { media: false });
    const c = await setUpCast(rig, { sellerLang: "en" });
    const staffMark = rig.sent(c.partner).length;
    await rig.say(c.seller, voice);
    await rig.say(c.seller, "haan");
    await rig.settle();
    const sent = since(rig, c.partner, staffMark);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain("🎤 The voice note is on WhatsApp: open the chat to listen: https://wa.me/923001110001");
    expect(sent[0]!.media).toBeUndefined();
  });

  it("the partner can answer with a voice note in reply to the notice; a stray voice note from staff gets the usual note", async () => {
    rig = await createHandoverRig("whatsapp-memory");
    const c = await setUpCast(rig, { sellerLang: "en" });
    await rig.say(c.seller, "insaan se baat");
    await rig.settle();
    const notice = rig.sent(c.partner).at(-1)!;
    const reply = { kind: "voice" as const, media: { ...voice.media, ref: '{"id":"3EB0VOICE2","remoteJid":"923001110002@s.whatsapp.net"}' } };
    const mark = rig.sent(c.seller).length;
    await rig.say(c.partner, reply, { replyTo: notice.messageId });
    await rig.settle();
    const [answer] = since(rig, c.seller, mark);
    expect(answer).toMatchObject({ text: "From your partner Alpha Sialkot Agency:", media: reply.media });
    await rig.say(c.partner, reply);
    expect(rig.sent(c.partner).at(-1)!.text).toBe(rig.app.deps.i18n.t("en")("common:unsupported"));
  });

  it("/reply takes the seller's number from the chat link instead of the code", async () => {
    rig = await createHandoverRig("whatsapp-memory");
    const c = await setUpCast(rig, { sellerLang: "en" });
    await rig.say(c.seller, "insaan se baat");
    await rig.settle();
    const mark = rig.sent(c.seller).length;
    await rig.say(c.partner, "/reply +92 300 1110001 Ji, main Asma hoon");
    await rig.settle();
    expect(since(rig, c.seller, mark).map((m) => m.text)).toEqual(["From your partner Alpha Sialkot Agency:\n\nJi, main Asma hoon"]);
  });

  it("a Yes after the question expired is answered politely and opens nothing", async () => {
    rig = await createHandoverRig("whatsapp-memory");
    const c = await setUpCast(rig, { sellerLang: "en" });
    await rig.say(c.seller, { kind: "choice", data: "ho:voice:yes" });
    expect(rig.sent(c.seller).at(-1)!.text).toBe(rig.app.deps.i18n.t("en")("common:staleChoice"));
    expect(await rig.database.prisma.handover.count()).toBe(0);
    void userIdOf;
    void START;
  });
});
