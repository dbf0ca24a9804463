/**
 * `seller-bot dashboard link --partner NAME|ID | --admin`: prints one line, a one-time login
 * URL (10 minutes, one use) for the server's operator. A contract (shared/design.md).
 * Arguments are declared in ./commands.ts.
 */
import { parsePartnerRef } from "../../cli/define.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { resolvePartner } from "../../cli/partner-ref.ts";
import { openDatabase } from "../../db/client.ts";
import { issueLoginLink, type Grant } from "./auth.ts";

const HINT = 'Run "seller-bot dashboard link --help" for usage.';

/** Prints the login link. */
export async function linkCommand(io: CliIO, values: { partner?: string; admin?: boolean }): Promise<number> {
  const partnerName = values.partner?.trim();
  if (Boolean(values.admin) === (partnerName !== undefined)) return usageError(io, `give either --partner NAME or --admin\n${HINT}`);
  if (partnerName === "") return usageError(io, `--partner: expected a partner's name or id\n${HINT}`);
  const database = await openDatabase({ url: io.config.database.url, migrate: io.config.database.provider === "sqlite" });
  try {
    let grant: Grant = { role: "admin" };
    if (partnerName !== undefined) {
      const found = await resolvePartner(database.prisma, parsePartnerRef(partnerName));
      if ("error" in found) return usageError(io, found.error);
      grant = { role: "partner", partnerId: found.partner.id };
    }
    const url = await issueLoginLink(database.prisma, io.config, { grant, userId: null, language: "en" }, new Date());
    io.stdout.write(`${url}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
