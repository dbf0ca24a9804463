/**
 * `seller-bot chat --as seller|admin|partner:NAME`: the local user the terminal speaks for,
 * a console identity on the local database with that role, so that partners' and admins'
 * flows can be tried without Telegram.
 */
import type { App } from "../app.ts";
import type { Config } from "../config.ts";
import { approveMemberByIdentity } from "../features/partners/membership.ts";
import type { LocalRole } from "./define.ts";
import { resolvePartner } from "./partner-ref.ts";

/** The console id of the local admin (an admin for as long as `chat --as admin` runs). */
export const LOCAL_ADMIN_ID = "local-admin";
/** The console id of the local seller (plain `chat`). */
export const LOCAL_SELLER_ID = "local";

/**
 * The configuration for this chat: SELLER_BOT_ADMINS is the only source of admin rights
 * (it is applied at every start), so the local admin is added to it for this process.
 */
export function configFor(config: Config, role: LocalRole): Config {
  if (role.kind !== "admin") return config;
  return { ...config, admins: [...config.admins, { channel: "console", externalId: LOCAL_ADMIN_ID }] };
}

/** Makes sure the local user exists with its role; returns its console id and how to name it. */
export async function prepareLocalUser(app: App, role: LocalRole): Promise<{ ok: true; externalId: string; label: string } | { ok: false; error: string }> {
  if (role.kind === "seller") return { ok: true, externalId: LOCAL_SELLER_ID, label: "a seller" };
  if (role.kind === "admin") return { ok: true, externalId: LOCAL_ADMIN_ID, label: "an admin" };
  const db = app.deps.db;
  const found = await resolvePartner(db, role.partner);
  if ("error" in found) return { ok: false, error: `--as: ${found.error}` };
  const { partner } = found;
  const externalId = `local-partner-${partner.id}`;
  const identity = await db.channelIdentity.upsert({
    where: { channel_externalId: { channel: "console", externalId } },
    create: { channel: "console", externalId, user: { create: { role: "seller", displayName: `${partner.name} (local)` } } },
    update: {},
    include: { user: { include: { partnerMember: true } } },
  });
  const member = identity.user.partnerMember;
  if (!(member?.status === "approved" && member.partnerId === partner.id && identity.user.role === "partner")) {
    const approved = await approveMemberByIdentity(db, partner.name, "console", externalId);
    if (!approved.ok) return { ok: false, error: `--as: ${approved.error}` };
  }
  return { ok: true, externalId, label: `partner "${partner.name}"` };
}
