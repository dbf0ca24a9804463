/** `seller-bot progress export`: declared here, run by ./cli.ts (loaded only when asked). */
import { Option } from "commander";
import { PARTNER_HELP, parsePartnerRef, type PartnerRef, type RegisterCommands } from "../../cli/define.ts";

/** Adds `progress export`. */
export const registerProgressCommands: RegisterCommands = (program, scope) => {
  program
    .command("progress")
    .description("sellers' onboarding checklists")
    .command("export")
    .description("every seller's checklist for a spreadsheet (CSV on stdout, or one JSON array)")
    .option("--partner <partner>", `only this partner's sellers: ${PARTNER_HELP}`, parsePartnerRef)
    .addOption(new Option("--format <format>", "output format").choices(["csv", "json"]).default("csv"))
    .action((opts: { partner?: PartnerRef; format: "csv" | "json" }) => scope.run(async (io) => (await import("./cli.ts")).exportProgress(io, opts)));
};
