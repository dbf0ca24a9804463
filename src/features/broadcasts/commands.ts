/** `seller-bot broadcasts …`: declared here, run by ./cli.ts (loaded only when asked). */
import { PARTNER_HELP, parsePartnerRef, type RegisterCommands } from "../../cli/define.ts";

/** Adds `broadcasts list|status|pause|resume|cancel`. */
export const registerBroadcastCommands: RegisterCommands = (program, scope) => {
  const broadcasts = program.command("broadcasts").description("broadcasts: delivery counts and control (the CLI acts as an admin)");
  const cli = () => import("./cli.ts");
  broadcasts
    .command("status")
    .description('state and delivery counts; with --json {"queued","sent","failed","blocked","optedOut","cancelled","state"}')
    .argument("<ID>", "the broadcast's id")
    .option("--json", "print the counts as JSON")
    .action((id: string, opts: { json?: boolean }) => scope.run(async (io) => (await cli()).broadcastCommand(io, "status", id, Boolean(opts.json))));
  broadcasts
    .command("list")
    .description("the newest broadcasts with their state (queued, sending, paused, cancelled, done) and counts")
    .option("--partner <partner>", `only one partner's: ${PARTNER_HELP}`, parsePartnerRef)
    .option("--limit <n>", "how many, 1 to 1000", "20")
    .option("--json", "print them as JSON")
    .action((opts: { partner?: ReturnType<typeof parsePartnerRef>; limit: string; json?: boolean }) =>
      scope.run(async (io) => (await cli()).listCommand(io, { partner: opts.partner, limit: opts.limit, json: Boolean(opts.json) })),
    );
  for (const [action, what] of [
    ["pause", "stop sending until resumed"],
    ["resume", "continue a paused broadcast"],
    ["cancel", "stop for good (the rows not sent are dropped; a finished broadcast is refused)"],
  ] as const) {
    broadcasts
      .command(action)
      .description(what)
      .argument("<ID>", "the broadcast's id")
      .option("--json", 'print {"id","status"}')
      .action((id: string, opts: { json?: boolean }) => scope.run(async (io) => (await cli()).broadcastCommand(io, action, id, Boolean(opts.json))));
  }
};
