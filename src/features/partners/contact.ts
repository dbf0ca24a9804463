/**
 * How a partner (or the programme team) can reach a person the bot knows: links that open
 * a chat, built from the person's channel identities. A Telegram id opens the profile with
 * tg://user?id= (Telegram clients resolve it for people who have written to the bot); a
 * WhatsApp JID (Baileys) or wa_id (Cloud API) is a phone number, opened with
 * https://wa.me/<digits>; the same number on both is one link.
 */

/** One way to reach a person. */
export interface ContactLink {
  channel: "whatsapp" | "telegram";
  /** A link that opens a chat with them. */
  link: string;
  /** The number (+digits) or the Telegram id, for a spreadsheet or a phone call. */
  id: string;
}

/** The links of a person's identities, WhatsApp first (most sellers call rather than type). */
export function contactLinks(identities: Array<{ channel: string; externalId: string }>): ContactLink[] {
  const out: ContactLink[] = [];
  for (const i of identities) {
    const wa =
      i.channel === "whatsapp" ? /^(\d{6,15})@s\.whatsapp\.net$/.exec(i.externalId) : i.channel === "whatsapp-cloud" ? /^(\d{6,15})$/.exec(i.externalId) : null;
    if (wa && !out.some((l) => l.id === `+${wa[1]}`)) out.push({ channel: "whatsapp", link: `https://wa.me/${wa[1]}`, id: `+${wa[1]}` });
    if (i.channel === "telegram" && /^\d{1,20}$/.test(i.externalId)) out.push({ channel: "telegram", link: `tg://user?id=${i.externalId}`, id: i.externalId });
  }
  return out.sort((a, b) => (a.channel === b.channel ? 0 : a.channel === "whatsapp" ? -1 : 1));
}

/** The links as one line of text ("https://wa.me/92300… · tg://user?id=1003"), or "-" when there is none. */
export function contactText(identities: Array<{ channel: string; externalId: string }>): string {
  const links = contactLinks(identities);
  return links.length ? links.map((l) => l.link).join(" · ") : "-";
}
