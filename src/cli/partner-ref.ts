/** Finds the partner a command names by id or by name. */
import type { Db } from "../db/client.ts";
import { findPartnerByName, type PartnerRow } from "../features/partners/api.ts";
import type { PartnerRef } from "./define.ts";

/** The partner, or the one line that says why there is none. */
export async function resolvePartner(db: Db, ref: PartnerRef): Promise<{ partner: PartnerRow } | { error: string }> {
  const partner = "id" in ref ? await db.partner.findUnique({ where: { id: ref.id } }) : await findPartnerByName(db, ref.name);
  if (partner) return { partner };
  return { error: "id" in ref ? `No partner with id ${ref.id}.` : `No partner named "${ref.name}".` };
}
