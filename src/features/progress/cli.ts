/**
 * `seller-bot progress export [--partner NAME|ID] [--format csv|json]`: every seller's
 * checklist for a spreadsheet (default CSV on stdout; JSON is one array). Arguments are
 * declared in ./commands.ts.
 */
import type { PartnerRef } from "../../cli/define.ts";
import { usageError, type CliIO } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { resolvePartner } from "../../cli/partner-ref.ts";
import { openConfiguredDatabase } from "../../db/client.ts";
import { csvHeader, csvLine, exportRecords } from "./export.ts";
import { loadStages } from "./stages.ts";

/** `seller-bot progress ARGV` with these streams (tests). */
export function runProgress(argv: string[], io: CliIO): Promise<number> {
  return main(["progress", ...argv], io);
}

/** Writes the export. */
export async function exportProgress(io: CliIO, args: { partner?: PartnerRef; format: "csv" | "json" }): Promise<number> {
  const stages = loadStages(io.config.contentDir);
  const database = await openConfiguredDatabase(io.config.database);
  try {
    const db = database.prisma;
    let partnerId: number | undefined;
    if (args.partner) {
      const found = await resolvePartner(db, args.partner);
      if ("error" in found) return usageError(io, found.error);
      partnerId = found.partner.id;
    }
    const scope = partnerId !== undefined ? ({ kind: "partner", partnerId } as const) : ({ kind: "admin" } as const);
    const json = args.format === "json";
    io.stdout.write(json ? "[" : `${csvHeader(stages)}\n`);
    let first = true;
    for await (const record of exportRecords(db, stages, scope)) {
      if (json) {
        io.stdout.write(`${first ? "\n" : ",\n"}${JSON.stringify(record)}`);
        first = false;
      } else io.stdout.write(`${csvLine(record, stages)}\n`);
    }
    if (json) io.stdout.write(first ? "]\n" : "\n]\n");
    return 0;
  } finally {
    await database.close();
  }
}
