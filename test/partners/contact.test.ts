/** Contact links: one per phone number, whichever WhatsApp channel it came through. */
import { describe, expect, it } from "vitest";
import { contactLinks, contactText } from "../../src/features/partners/api.ts";

describe("contactLinks", () => {
  it("makes a wa.me link of a Baileys JID and of a Cloud API wa_id, once per number, WhatsApp first", () => {
    const links = contactLinks([
      { channel: "telegram", externalId: "1003" },
      { channel: "whatsapp", externalId: "923001234567@s.whatsapp.net" },
      { channel: "whatsapp-cloud", externalId: "923001234567" },
      { channel: "whatsapp-cloud", externalId: "923217654321" },
    ]);
    expect(links).toEqual([
      { channel: "whatsapp", link: "https://wa.me/923001234567", id: "+923001234567" },
      { channel: "whatsapp", link: "https://wa.me/923217654321", id: "+923217654321" },
      { channel: "telegram", link: "tg://user?id=1003", id: "1003" },
    ]);
  });

  it("gives no link for a LID or a console name, and '-' as text when there is none", () => {
    expect(contactLinks([{ channel: "whatsapp", externalId: "123456789012345@lid" }, { channel: "console", externalId: "you" }])).toEqual([]);
    expect(contactText([{ channel: "console", externalId: "you" }])).toBe("-");
  });
});
