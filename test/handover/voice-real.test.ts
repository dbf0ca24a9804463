/**
 * A voice-note handover on the real adapters, fed what the platforms send: Telegram a
 * `voice` message (Bot API shape, through grammY and the fake Bot API), WhatsApp an
 * `audioMessage` with `ptt` (Baileys' `messages.upsert`, through the Baileys adapter on the
 * fake socket). The seller is asked first, says yes (the button on Telegram, "1" on
 * WhatsApp), and the partner gets the notice and the voice note itself: Telegram sendVoice
 * with the seller's file_id, WhatsApp a forward of the seller's stored message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandoverRig, setUpCast, since, type Cast, type HandoverRig, type Received } from "./helpers.ts";

const REAL = ["telegram", "whatsapp"] as const;

describe.each(REAL)("a voice-note handover on %s (real adapter)", (kind) => {
  let rig: HandoverRig;
  let cast: Cast & { alphaId: number; sellerId: number };
  let code = "";
  let noticeId = "";
  beforeAll(async () => {
    rig = await createHandoverRig(kind);
    cast = await setUpCast(rig, { sellerLang: "en" });
  }, 60_000);
  afterAll(async () => rig?.close());

  /** The file the partner's channel was asked to send: the seller's own voice note. */
  function expectSameVoice(received: Received | undefined, nativeId: string): void {
    if (kind === "telegram") {
      expect(received!.file).toEqual({ method: "sendVoice", id: nativeId });
      return;
    }
    expect(received!.file).toMatchObject({ method: "forward", id: nativeId });
    const audio = (received!.file!.message as { audioMessage?: { ptt?: boolean; seconds?: number; mimetype?: string } }).audioMessage;
    expect(audio).toMatchObject({ ptt: true, seconds: 7, mimetype: "audio/ogg; codecs=opus" });
  }

  /** Yes to "Shall I pass your voice note…?": the button on Telegram, the number elsewhere. */
  async function answerYes(): Promise<void> {
    if (kind === "telegram") await rig.say(cast.seller, { kind: "choice", data: "ho:voice:yes" });
    else await rig.say(cast.seller, "1");
  }

  it("a voice note is met with the question, with Yes and No to choose from; No passes nothing on", async () => {
    const staffMark = rig.sent(cast.partner).length;
    const mark = rig.sent(cast.seller).length;
    await rig.voice(cast.seller);
    const [ask, ...more] = since(rig, cast.seller, mark);
    expect(more).toEqual([]);
    expect(ask!.text).toContain("Shall I pass your voice note to your partner, Alpha Sialkot Agency?");
    if (kind === "telegram") expect(ask!.buttons).toEqual([{ text: "Yes", data: "ho:voice:yes" }, { text: "No", data: "ho:voice:no" }]);
    else expect(ask!.text).toMatch(/1\. Yes\n2\. No/);
    if (kind === "telegram") await rig.say(cast.seller, { kind: "choice", data: "ho:voice:no" });
    else await rig.say(cast.seller, "2");
    await rig.settle();
    expect(rig.sent(cast.seller).at(-1)!.text).toBe("OK, I won't pass it on. You can type your question, or send 0 for the menu.");
    expect(await rig.database.prisma.handover.count()).toBe(0);
    expect(rig.sent(cast.partner)).toHaveLength(staffMark);
  });

  it("Yes: the seller is told who answers, and the partner gets the notice and then the voice note itself", async () => {
    const staffMark = rig.sent(cast.partner).length;
    const adminMark = rig.sent(cast.admin).length;
    const nativeId = await rig.voice(cast.seller);
    const mark = rig.sent(cast.seller).length;
    await answerYes();
    await rig.settle();
    expect(since(rig, cast.seller, mark).map((m) => m.text)).toEqual([expect.stringMatching(/^I've passed this to your partner, Alpha Sialkot Agency\./)]);
    const h = await rig.database.prisma.handover.findUniqueOrThrow({ where: { openSellerId: cast.sellerId } });
    expect(h).toMatchObject({ reason: "voice", partnerId: cast.alphaId, channel: rig.channel });
    code = h.code;
    const [notice, voice, ...more] = since(rig, cast.partner, staffMark);
    expect(more).toEqual([]);
    expect(notice!.text).toContain(`Bilal sent a voice note for you (handover ${code})`);
    expect(notice!.text).toContain("Seller: Bilal · Sialkot · stage: Documents");
    expect(notice!.text).toContain(kind === "telegram" ? `tg://user?id=${cast.seller.id}` : "https://wa.me/923001110001");
    expect(notice!.file).toBeUndefined();
    expect(voice!.text).toBe(`🎤 Voice note from Bilal (handover ${code})`);
    expectSameVoice(voice, nativeId);
    noticeId = notice!.messageId;
    expect(rig.sent(cast.admin)).toHaveLength(adminMark);
  });

  it("another voice note during the handover is passed on as it is, without asking", async () => {
    const staffMark = rig.sent(cast.partner).length;
    const mark = rig.sent(cast.seller).length;
    const nativeId = await rig.voice(cast.seller);
    await rig.settle();
    expect(since(rig, cast.seller, mark)).toEqual([]);
    const [passed, ...more] = since(rig, cast.partner, staffMark);
    expect(more).toEqual([]);
    expectSameVoice(passed, nativeId);
  });

  it("the partner answers with a voice note in reply to the notice; the seller gets it, marked as from the partner; after a restart /done in reply to the notice closes", async () => {
    const mark = rig.sent(cast.seller).length;
    const staffMark = rig.sent(cast.partner).length;
    const nativeId = await rig.voice(cast.partner, { replyTo: noticeId });
    await rig.settle();
    const [answer, ...more] = since(rig, cast.seller, mark);
    expect(more).toEqual([]);
    expect(answer!.text).toBe("From your partner Alpha Sialkot Agency:");
    expectSameVoice(answer, nativeId);
    expect(since(rig, cast.partner, staffMark).map((m) => m.text)).toEqual(["Sent to Bilal."]);
    // A new process: the notice's platform id is found in the database (HandoverNotice).
    await rig.restart();
    await rig.say(cast.partner, "/done", { replyTo: noticeId });
    await rig.settle();
    expect(rig.sent(cast.partner).at(-1)!.text).toBe(`Handover ${code} is closed. Bilal was told the bot answers again.`);
    expect((await rig.database.prisma.handover.findUniqueOrThrow({ where: { code } })).status).toBe("closed");
  });
});
