/**
 * `seller-bot progress export [--partner ID] [--format csv|json]`: every seller's checklist
 * for a spreadsheet (default CSV on stdout; JSON is one array).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { usageError, type CliIO } from "../../cli/io.ts";
import { openConfiguredDatabase } from "../../db/client.ts";
import { csvHeader, csvLine, exportRecords } from "./export.ts";
import { loadStages } from "./stages.ts";

const USAGE = "usage: seller-bot progress export [--partner ID] [--format csv|json]";

const argsSchema = z.object({
  partner: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  format: z.enum(["csv", "json"]).default("csv"),
});

/** Runs a `progress` subcommand. */
export async function runProgress(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] !== "export") return usageError(io, USAGE);
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv.slice(1), options: { partner: { type: "string" }, format: { type: "string" } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return usageError(io, `${(error as Error).message}\n${USAGE}`);
  }
  const args = argsSchema.safeParse(values);
  if (!args.success) return usageError(io, `${args.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\n${USAGE}`);
  const stages = loadStages(io.config.contentDir);
  const database = await openConfiguredDatabase(io.config.database);
  try {
    const db = database.prisma;
    if (args.data.partner !== undefined && !(await db.partner.findUnique({ where: { id: args.data.partner }, select: { id: true } }))) {
      return usageError(io, `No partner with id ${args.data.partner}.`);
    }
    const scope = args.data.partner !== undefined ? ({ kind: "partner", partnerId: args.data.partner } as const) : ({ kind: "admin" } as const);
    const json = args.data.format === "json";
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
