/** `seller-bot dashboard link`: declared here, run by ./cli.ts (loaded only when asked). */
import { PARTNER_HELP, type RegisterCommands } from "../../cli/define.ts";

/** Adds `dashboard link`. */
export const registerDashboardCommands: RegisterCommands = (program, scope) => {
  program
    .command("dashboard")
    .description("the web dashboard")
    .command("link")
    .description("print a one-time login URL for the dashboard (10 minutes, one use); give --partner or --admin")
    .option("--partner <partner>", `that partner's view: ${PARTNER_HELP}`)
    .option("--admin", "the admin view (every partner)")
    .action((opts: { partner?: string; admin?: boolean }) => scope.run(async (io) => (await import("./cli.ts")).linkCommand(io, opts)));
};
