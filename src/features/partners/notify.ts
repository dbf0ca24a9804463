/**
 * Notices to a partner's own bot accounts (a seller picked them). Best effort.
 */
import type { AppDeps } from "../../core/context.ts";
import { contactText } from "./contact.ts";
import { sendToUser } from "./membership.ts";

/**
 * Sends "seller X picked you" to each approved member of the partner on each of their
 * channels that is running. Failures are logged and swallowed per recipient.
 */
export async function notifyPartnerOfAssignment(deps: AppDeps, partner: { id: number; name: string }, sellerId: number): Promise<number> {
  const seller = await deps.db.user.findUnique({ where: { id: sellerId }, include: { sellerProfile: true, identities: true } });
  const members = await deps.db.partnerMember.findMany({ where: { partnerId: partner.id, status: "approved" }, select: { userId: true } });
  let sent = 0;
  for (const member of members) {
    sent += await sendToUser(deps, member.userId, (lang) => ({
      text: deps.i18n.t(lang)("partners:notice.assigned", {
        partner: partner.name,
        seller: seller?.displayName ?? `#${sellerId}`,
        city: seller?.sellerProfile?.city ?? "-",
        contact: contactText(seller?.identities ?? []),
      }),
    }));
  }
  return sent;
}
