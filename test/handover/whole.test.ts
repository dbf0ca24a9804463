/**
 * A whole handover on each channel: the seller asks for a person → the partner gets the
 * notice → answers (by replying to the notice, and with /reply) → the seller's next message
 * is passed on → /done → the bot answers again. "telegram" and "whatsapp" are the real
 * adapters (grammY over HTTP to the fake Bot API; Baileys' adapter on the fake socket, fed
 * `messages.upsert` payloads), "console" the local chat.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandoverRig, setUpCast, since, type Cast, type HandoverRig, type RigKind } from "./helpers.ts";

// "whatsapp-memory" (the memory adapter as WhatsApp) is left to situations.test.ts: here the
// real WhatsApp adapter covers everything it did.
const KINDS: RigKind[] = ["console", "whatsapp", "telegram"];

describe.each(KINDS)("a whole handover on %s", (kind) => {
  let rig: HandoverRig;
  let cast: Cast & { alphaId: number; sellerId: number };
  let code = "";
  let noticeId = "";
  beforeAll(async () => {
    rig = await createHandoverRig(kind);
    cast = await setUpCast(rig);
    await rig.say(cast.seller, "fees kitni hai?");
    await rig.settle();
  }, 60_000);
  afterAll(async () => rig?.close());

  it("the seller asks for a person and is told who answers and roughly when", async () => {
    const mark = rig.sent(cast.seller).length;
    await rig.say(cast.seller, "mujhe kisi insaan se baat karni hai");
    const [reply, ...more] = since(rig, cast.seller, mark);
    expect(more).toEqual([]);
    expect(reply!.text).toContain("Alpha Sialkot Agency");
    expect(reply!.text).toMatch(/4 daftari ghanton \(Mon–Sat 09:00–18:00\)/);
    const open = await rig.database.prisma.handover.findUniqueOrThrow({ where: { openSellerId: cast.sellerId } });
    expect(open).toMatchObject({ reason: "human", partnerId: cast.alphaId, status: "open", channel: rig.channel });
    code = open.code;
  });

  it("the partner's account gets the notice: seller, city, stage, language, last messages, chat link, how to answer", async () => {
    const before = { other: rig.sent(cast.otherPartner).length, admin: rig.sent(cast.admin).length };
    const mark = rig.sent(cast.partner).length;
    await rig.settle();
    const [notice, ...more] = since(rig, cast.partner, mark);
    expect(more).toEqual([]);
    expect(notice!.text).toContain(`Bilal asks to talk to a person (handover ${code})`);
    expect(notice!.text).toContain("Seller: Bilal · Sialkot · stage: Documents");
    expect(notice!.text).toContain("language: Roman Urdu");
    expect(notice!.text).toMatch(/10:00 seller: fees kitni hai\?/);
    expect(notice!.text).toContain(`/reply ${code}`);
    if (kind === "telegram") expect(notice!.text).toContain(`tg://user?id=${cast.seller.id}`);
    if (kind === "whatsapp") expect(notice!.text).toContain("Open the chat: https://wa.me/923001110001");
    noticeId = notice!.messageId;
    // Recorded, so a reply to it finds the handover.
    expect(await rig.database.prisma.handoverNotice.count({ where: { messageId: noticeId, chatId: cast.partner.id } })).toBe(1);
    expect(rig.sent(cast.otherPartner)).toHaveLength(before.other);
    expect(rig.sent(cast.admin)).toHaveLength(before.admin);
  });

  it("the partner answers by replying to the notice (Telegram's reply, a WhatsApp quote) and with /reply", async () => {
    const mark = rig.sent(cast.seller).length;
    const staffMark = rig.sent(cast.partner).length;
    await rig.say(cast.partner, "Walaikum salam Bilal, main madad karti hoon.", { replyTo: noticeId });
    await rig.say(cast.partner, `/reply ${code.toLowerCase()} Aap ka account kis naam se hai?`);
    await rig.settle();
    const toSeller = since(rig, cast.seller, mark).map((m) => m.text);
    const expected = [
      "Aap ke partner Alpha Sialkot Agency ki taraf se:\n\nWalaikum salam Bilal, main madad karti hoon.",
      "Aap ke partner Alpha Sialkot Agency ki taraf se:\n\nAap ka account kis naam se hai?",
    ];
    expect(toSeller).toEqual(expected);
    expect(since(rig, cast.partner, staffMark).map((m) => m.text)).toEqual(expected.map(() => "Sent to Bilal."));
    const h = await rig.database.prisma.handover.findUniqueOrThrow({ where: { code } });
    expect(h.pickedUpAt).not.toBeNull();
  });

  it("the seller's answer is passed on to the partner, and the bot does not answer it itself", async () => {
    const mark = rig.sent(cast.seller).length;
    const staffMark = rig.sent(cast.partner).length;
    await rig.say(cast.seller, "fees kitni hai? account Bilal Traders ke naam se hai");
    await rig.settle();
    expect(since(rig, cast.seller, mark)).toEqual([]);
    const [passed] = since(rig, cast.partner, staffMark);
    expect(passed!.text).toBe(`Bilal (${code}): fees kitni hai? account Bilal Traders ke naam se hai`);
    // A reply to the passed-on message reaches the seller too.
    await rig.say(cast.partner, "Theek hai, main check karti hoon.", { replyTo: passed!.messageId });
    await rig.settle();
    expect(since(rig, cast.seller, mark).map((m) => m.text)).toEqual(["Aap ke partner Alpha Sialkot Agency ki taraf se:\n\nTheek hai, main check karti hoon."]);
  });

  it("the menu still works during the handover, and the handover stays open", async () => {
    const mark = rig.sent(cast.seller).length;
    await rig.say(cast.seller, "0");
    const replies = since(rig, cast.seller, mark);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain(rig.app.deps.i18n.t("ur-Latn")("common:menu.title"));
    expect((await rig.database.prisma.handover.findUniqueOrThrow({ where: { code } })).status).toBe("open");
  });

  it("/done ends it, the seller is told the bot is back, and the bot answers again", async () => {
    const mark = rig.sent(cast.seller).length;
    const staffMark = rig.sent(cast.partner).length;
    await rig.say(cast.partner, "/done", { replyTo: noticeId });
    await rig.settle();
    expect(since(rig, cast.partner, staffMark).map((m) => m.text)).toEqual([`Handover ${code} is closed. Bilal was told the bot answers again.`]);
    expect(since(rig, cast.seller, mark).map((m) => m.text)).toEqual(["Alpha Sialkot Agency ne baat cheet khatam kar di hai. Ab main dobara aap ko jawab dunga: menu ke liye 0 bhejein."]);
    const h = await rig.database.prisma.handover.findUniqueOrThrow({ where: { code } });
    expect(h).toMatchObject({ status: "closed", closedReason: "done", openSellerId: null });

    const after = rig.sent(cast.seller).length;
    const staffAfter = rig.sent(cast.partner).length;
    await rig.say(cast.seller, "salam");
    await rig.settle();
    expect(since(rig, cast.seller, after)[0]!.text).toMatch(/Assalam/i);
    expect(rig.sent(cast.partner)).toHaveLength(staffAfter);
    // A second /done: already closed.
    await rig.say(cast.partner, `/done ${code}`);
    expect(rig.sent(cast.partner).at(-1)!.text).toBe(`Handover ${code} is already closed.`);
  });
});
