/**
 * Notices to a partner's own bot accounts (a seller picked them). Best effort.
 */
import type { AppDeps } from "../../core/context.ts";
import type { ChannelId, Lang } from "../../core/types.ts";

const LANG = new Set<Lang>(["en", "ur", "ur-Latn"]);

/**
 * Sends "seller X picked you" to each approved member of the partner on each of their
 * channels that is running. Errors are logged and swallowed per recipient.
 */
export async function notifyPartnerOfAssignment(deps: AppDeps, partner: { id: number; name: string }, sellerId: number): Promise<number> {
  const seller = await deps.db.user.findUnique({ where: { id: sellerId }, include: { sellerProfile: true, identities: true } });
  const members = await deps.db.partnerMember.findMany({
    where: { partnerId: partner.id, status: "approved" },
    include: { user: { include: { identities: true } } },
  });
  let sent = 0;
  for (const member of members) {
    const lang: Lang = LANG.has(member.user.language as Lang) ? (member.user.language as Lang) : "en";
    const t = deps.i18n.t(lang);
    const text = t("partners:notice.assigned", {
      partner: partner.name,
      seller: seller?.displayName ?? `#${sellerId}`,
      city: seller?.sellerProfile?.city ?? "?",
      contact: sellerContact(seller?.identities ?? []),
    });
    for (const identity of member.user.identities) {
      const channel = identity.channel as ChannelId;
      if (identity.blockedAt || !deps.messenger.capabilities(channel)) continue;
      try {
        await deps.messenger.send({ channel, chatId: identity.externalId, userId: member.userId, lang }, { text });
        sent++;
      } catch (error) {
        deps.log.warn({ err: error, partnerId: partner.id }, "partner notice failed");
      }
    }
  }
  return sent;
}

/** How the partner can reach the seller: a WhatsApp number or a Telegram id. */
function sellerContact(identities: Array<{ channel: string; externalId: string }>): string {
  const wa = identities.find((i) => i.channel === "whatsapp" && /^\d+@s\.whatsapp\.net$/.test(i.externalId));
  if (wa) return `+${wa.externalId.split("@")[0]}`;
  const tg = identities.find((i) => i.channel === "telegram");
  if (tg) return `Telegram id ${tg.externalId}`;
  return "-";
}
