/**
 * `seller-bot dashboard link --partner NAME | --admin`: prints one line, a one-time login
 * URL (10 minutes, one use) for the server's operator. A contract (shared/design.md).
 */
import { parseArgs } from "node:util";
import { usageError, type CliIO } from "../../cli/io.ts";
import { openDatabase } from "../../db/client.ts";
import { findPartnerByName } from "../partners/api.ts";
import { issueLoginLink, type Grant } from "./auth.ts";

const USAGE = "usage: seller-bot dashboard link --partner NAME | --admin";

/** Runs a `dashboard` subcommand. */
export async function runDashboard(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] !== "link") return usageError(io, USAGE);
  let values: { partner?: string; admin?: boolean };
  try {
    values = parseArgs({ args: argv.slice(1), options: { partner: { type: "string" }, admin: { type: "boolean" } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return usageError(io, `${(error as Error).message}\n${USAGE}`);
  }
  const partnerName = values.partner?.trim();
  if (Boolean(values.admin) === (partnerName !== undefined)) return usageError(io, `give either --partner NAME or --admin\n${USAGE}`);
  if (partnerName === "") return usageError(io, `--partner: expected a partner's name\n${USAGE}`);
  const database = await openDatabase({ url: io.config.database.url, migrate: io.config.database.provider === "sqlite" });
  try {
    let grant: Grant = { role: "admin" };
    if (partnerName !== undefined) {
      const partner = await findPartnerByName(database.prisma, partnerName);
      if (!partner) return usageError(io, `No partner named "${partnerName}".`);
      grant = { role: "partner", partnerId: partner.id };
    }
    const url = await issueLoginLink(database.prisma, io.config, { grant, userId: null, language: "en" }, new Date());
    io.stdout.write(`${url}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
