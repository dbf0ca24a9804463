/** `seller-bot broadcasts …`: declared here, run by ./cli.ts (loaded only when asked). */
import type { RegisterCommands } from "../../cli/define.ts";

/** Adds `broadcasts status|pause|resume|cancel`. */
export const registerBroadcastCommands: RegisterCommands = (program, scope) => {
  const broadcasts = program.command("broadcasts").description("broadcasts: delivery counts and control (the CLI acts as an admin)");
  const cli = () => import("./cli.ts");
  broadcasts
    .command("status")
    .description('delivery counts; with --json exactly {"queued","sent","failed","blocked","optedOut"}')
    .argument("<ID>", "the broadcast's id")
    .option("--json", "print the counts as JSON")
    .action((id: string, opts: { json?: boolean }) => scope.run(async (io) => (await cli()).broadcastCommand(io, "status", id, Boolean(opts.json))));
  for (const [action, what] of [
    ["pause", "stop sending until resumed"],
    ["resume", "continue a paused broadcast"],
    ["cancel", "stop for good (the rows not sent are dropped)"],
  ] as const) {
    broadcasts
      .command(action)
      .description(what)
      .argument("<ID>", "the broadcast's id")
      .option("--json", 'print {"id","status"}')
      .action((id: string, opts: { json?: boolean }) => scope.run(async (io) => (await cli()).broadcastCommand(io, action, id, Boolean(opts.json))));
  }
};
