/**
 * The webhook at /webhooks/whatsapp: Meta's verification handshake, signatures over the raw
 * body, the 1 MB cap, every inbound kind in the Cloud API's shapes, and duplicates.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/core/types.ts";
import { messagesPayload, postSigned } from "../support/fake-graph-api.ts";
import { APP_SECRET, createCloudRig, PHONE_ID, until, VERIFY_TOKEN, type CloudRig } from "./harness.ts";

let rig: CloudRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("verification handshake", () => {
  it("echoes hub.challenge for the right verify token, 403 otherwise", async () => {
    rig = await createCloudRig();
    const ok = await get(`${rig.url}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok).toEqual({ status: 200, body: "1158201444" });
    expect((await get(`${rig.url}?hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1`)).status).toBe(403);
    expect((await get(`${rig.url}?hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
    expect((await get(`${rig.url}?hub.mode=subscribe&hub.challenge=1`)).status).toBe(403);
  });
});

describe("signatures", () => {
  const body = () => JSON.stringify(messagesPayload(PHONE_ID, "923001110001", { type: "text", text: { body: "hello" } }));

  it("refuses a missing, a wrong and a re-serialised signature with 401, and stores nothing", async () => {
    rig = await createCloudRig();
    const raw = body();
    expect(await postSigned(rig.url, raw, APP_SECRET, null)).toBe(401);
    expect(await postSigned(rig.url, raw, "not-the-app-secret")).toBe(401);
    expect(await postSigned(rig.url, raw, APP_SECRET, "sha256=zz")).toBe(401);
    // Signed over the compact JSON, sent pretty-printed: the same object, other bytes.
    const signedCompact = (await import("../../src/channels/whatsapp-cloud/signature.ts")).signBody(raw, APP_SECRET);
    expect(await postSigned(rig.url, JSON.stringify(JSON.parse(raw), null, 2), APP_SECRET, signedCompact)).toBe(401);
    expect(await rig.database.prisma.inboundMessage.count()).toBe(0);
    expect(rig.fake.requests).toHaveLength(0);
    // The same body signed right is taken.
    expect(await postSigned(rig.url, raw, APP_SECRET)).toBe(200);
    expect(await rig.database.prisma.inboundMessage.count()).toBe(1);
  });

  it("refuses a body over 1 MB with 413", async () => {
    rig = await createCloudRig();
    const big = JSON.stringify({ object: "whatsapp_business_account", entry: [], pad: "x".repeat(1024 * 1024) });
    expect(await postSigned(rig.url, big, APP_SECRET)).toBe(413);
  });
});

describe("inbound kinds", () => {
  async function receive(message: Record<string, unknown>, name?: string): Promise<InboundMessage[]> {
    const got: InboundMessage[] = [];
    const r = (rig = await createCloudRig({ handler: "none" }));
    await r.adapter.start(async (m) => void got.push(m));
    expect(await r.post("923001110002", message, name)).toBe(200);
    return got;
  }

  it("text, with the profile name and the message it replies to", async () => {
    const [m] = await receive({ type: "text", text: { body: "Fee kitni hai?" }, context: { from: "15550783881", id: "wamid.earlier" } }, "Bilal Ahmed");
    expect(m).toMatchObject({
      channel: "whatsapp-cloud",
      chat: { id: "923001110002", kind: "private" },
      sender: { id: "923001110002", displayName: "Bilal Ahmed" },
      content: { kind: "text", text: "Fee kitni hai?" },
      replyToMessageId: "wamid.earlier",
    });
    expect(m!.messageId).toMatch(/^wamid\./);
  });

  it("button and list replies as choices, a template's quick reply as its text", async () => {
    expect((await receive({ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "ev:rsvp:4:yes", title: "Going" } } }))[0]!.content).toEqual({ kind: "choice", data: "ev:rsvp:4:yes", label: "Going" });
    await rig!.close();
    expect((await receive({ type: "interactive", interactive: { type: "list_reply", list_reply: { id: "lang:ur", title: "اردو", description: "" } } }))[0]!.content).toEqual({ kind: "choice", data: "lang:ur", label: "اردو" });
    await rig!.close();
    expect((await receive({ type: "button", button: { payload: "Stop", text: "Stop" } }))[0]!.content).toEqual({ kind: "text", text: "Stop" });
  });

  it("a location", async () => {
    const [m] = await receive({ type: "location", location: { latitude: 32.4945, longitude: 74.5229, name: "Sialkot", address: "Paris Road" } });
    expect(m!.content).toEqual({ kind: "location", latitude: 32.4945, longitude: 74.5229, name: "Sialkot", address: "Paris Road" });
  });

  it("a caption under an image, a video or a document is text with the attachment; without one it is unsupported", async () => {
    const [img] = await receive({ type: "image", image: { caption: "Yeh meri product hai", mime_type: "image/jpeg", sha256: "abc", id: "1479537139650973" } });
    expect(img!.content).toEqual({ kind: "text", text: "Yeh meri product hai", attachment: { channel: "whatsapp-cloud", type: "image", ref: "1479537139650973", mimeType: "image/jpeg" } });
    await rig!.close();
    const [doc] = await receive({ type: "document", document: { caption: "Invoice", filename: "invoice.pdf", mime_type: "application/pdf", sha256: "x", id: "253" } });
    expect(doc!.content).toMatchObject({ kind: "text", text: "Invoice", attachment: { type: "document", ref: "253", filename: "invoice.pdf" } });
    await rig!.close();
    const [vid] = await receive({ type: "video", video: { caption: "Factory tour", mime_type: "video/mp4", sha256: "x", id: "777" } });
    expect(vid!.content).toMatchObject({ kind: "text", text: "Factory tour", attachment: { type: "video", ref: "777" } });
    await rig!.close();
    const [bare] = await receive({ type: "image", image: { mime_type: "image/jpeg", sha256: "x", id: "9" } });
    expect(bare!.content).toEqual({ kind: "unsupported", what: "image" });
  });

  it("a voice note and an audio file as voice", async () => {
    const [voice] = await receive({ type: "audio", audio: { mime_type: "audio/ogg; codecs=opus", sha256: "x", id: "4711", voice: true } });
    expect(voice!.content).toEqual({ kind: "voice", media: { channel: "whatsapp-cloud", type: "voice", ref: "4711", mimeType: "audio/ogg; codecs=opus" } });
    await rig!.close();
    const [audio] = await receive({ type: "audio", audio: { mime_type: "audio/mpeg", sha256: "x", id: "4712", voice: false } });
    expect(audio!.content).toMatchObject({ kind: "voice", media: { type: "audio", ref: "4712" } });
  });

  it("ignores reactions, and reads stickers as unsupported", async () => {
    expect(await receive({ type: "reaction", reaction: { message_id: "wamid.x", emoji: "👍" } })).toEqual([]);
    await rig!.close();
    expect((await receive({ type: "sticker", sticker: { mime_type: "image/webp", sha256: "x", id: "5", animated: false } }))[0]!.content).toEqual({ kind: "unsupported", what: "sticker" });
  });

  it("leaves out messages to another phone number of the same app", async () => {
    const got: InboundMessage[] = [];
    rig = await createCloudRig({ handler: "none" });
    await rig.adapter.start(async (m) => void got.push(m));
    const other = JSON.stringify(messagesPayload("999999999999", "923001110003", { type: "text", text: { body: "hi" } }));
    expect(await postSigned(rig.url, other, APP_SECRET)).toBe(200);
    expect(got).toEqual([]);
  });
});

describe("through the core", () => {
  it("answers a message once even when Meta delivers it twice, and the webhook waits only for storing", async () => {
    rig = await createCloudRig();
    const r = rig;
    const raw = JSON.stringify(messagesPayload(PHONE_ID, "923001110004", { type: "text", text: { body: "hello" } }));
    const [a, b] = await Promise.all([postSigned(r.url, raw, APP_SECRET), postSigned(r.url, raw, APP_SECRET)]);
    expect([a, b]).toEqual([200, 200]);
    expect(await postSigned(r.url, raw, APP_SECRET)).toBe(200);
    await until(() => r.fake.to("923001110004").length > 0);
    await r.app.core.idle();
    await new Promise((res) => setTimeout(res, 200));
    expect(await r.database.prisma.inboundMessage.count()).toBe(1);
    // One answer (it may come in several parts, plus the consent question), not three.
    const answers = r.fake.to("923001110004");
    const first = answers.filter((q) => q.seq === answers[0]!.seq);
    expect(first).toHaveLength(1);
    const texts = answers.map((q) => JSON.stringify(q.body));
    expect(new Set(texts).size).toBe(texts.length);
    // The 24-hour window opened when the message arrived.
    expect(await r.database.prisma.whatsAppCloudWindow.findUnique({ where: { waId: "923001110004" } })).not.toBeNull();
  });

  it("answers 503 while stopped, so Meta posts again", async () => {
    rig = await createCloudRig();
    await rig.adapter.stop();
    expect(await rig.post("923001110005", { type: "text", text: { body: "hi" } })).toBe(503);
    expect(await rig.database.prisma.inboundMessage.count()).toBe(0);
  });
});
