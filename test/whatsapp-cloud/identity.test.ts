/**
 * One person, one user: the same phone number on Baileys (JID 92300…@s.whatsapp.net) and on
 * the Cloud API (wa_id 92300…) is one user, whichever channel they wrote on first.
 */
import { afterEach, describe, expect, it } from "vitest";
import { samePhoneIdentities } from "../../src/core/users.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createMemoryAdapter } from "../../src/channels/memory/index.ts";
import type { ChannelId, InboundMessage } from "../../src/core/types.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

let n = 0;
function message(channel: ChannelId, senderId: string, text: string, aliases?: string[]): InboundMessage {
  n += 1;
  return { channel, messageId: `id-${n}-${Math.random()}`, chat: { id: senderId, kind: "private" }, sender: { id: senderId, aliases }, sentAt: new Date(), content: { kind: "text", text } };
}

async function userOf(app: TestApp, channel: string, externalId: string) {
  return (await app.database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel, externalId } } })).userId;
}

describe("one person, one user across the two WhatsApp channels", () => {
  it("maps a wa_id to the phone JID and back, and nothing for Telegram or LIDs", () => {
    expect(samePhoneIdentities("whatsapp-cloud", "923001234567")).toEqual([{ channel: "whatsapp", externalId: "923001234567@s.whatsapp.net" }]);
    expect(samePhoneIdentities("whatsapp", "923001234567@s.whatsapp.net")).toEqual([{ channel: "whatsapp-cloud", externalId: "923001234567" }]);
    expect(samePhoneIdentities("whatsapp", "123456789012345@lid")).toEqual([]);
    expect(samePhoneIdentities("telegram", "923001234567")).toEqual([]);
  });

  for (const order of [["whatsapp", "whatsapp-cloud"], ["whatsapp-cloud", "whatsapp"]] as const) {
    it(`is one user when they write on ${order[0]} first, then on ${order[1]}`, async () => {
      t = await createTestApp({ channel: order[0] });
      const other = createMemoryAdapter(order[1]);
      t.app.deps.messenger.register(other);
      await other.start(t.app.core.handle);
      const ids: Record<string, string> = { whatsapp: "923001234567@s.whatsapp.net", "whatsapp-cloud": "923001234567" };
      await t.adapter.receive(message(order[0], ids[order[0]]!, "hello"));
      // Urdu chosen on the first channel carries over: it is the same user.
      await t.database.prisma.user.updateMany({ data: { language: "ur", languageExplicit: true } });
      await other.receive(message(order[1], ids[order[1]]!, "hello again"));
      expect(await userOf(t, "whatsapp", ids.whatsapp!)).toBe(await userOf(t, "whatsapp-cloud", ids["whatsapp-cloud"]!));
      expect(await t.database.prisma.user.count()).toBe(1);
      await other.stop();
    });
  }

  it("links through a Baileys LID sender whose phone JID is an alias", async () => {
    t = await createTestApp({ channel: "whatsapp-cloud" });
    const baileys = createMemoryAdapter("whatsapp");
    t.app.deps.messenger.register(baileys);
    await baileys.start(t.app.core.handle);
    await t.adapter.receive(message("whatsapp-cloud", "923007654321", "salam"));
    await baileys.receive(message("whatsapp", "88001122334455@lid", "salam", ["923007654321@s.whatsapp.net"]));
    expect(await userOf(t, "whatsapp", "88001122334455@lid")).toBe(await userOf(t, "whatsapp-cloud", "923007654321"));
    expect(await t.database.prisma.user.count()).toBe(1);
    await baileys.stop();
  });

  it("keeps different numbers apart", async () => {
    t = await createTestApp({ channel: "whatsapp-cloud" });
    await t.send("hi", { id: "923001111111" });
    await t.send("hi", { id: "923002222222" });
    expect(await t.database.prisma.user.count()).toBe(2);
  });
});
