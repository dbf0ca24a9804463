/** `seller-bot events …`: declared here, run by ./cli.ts (loaded only when asked). */
import { Option } from "commander";
import type { RegisterCommands } from "../../cli/define.ts";

const AUDIENCE_HELP = "who gets it: all, city:NAME or partner:NAME (a partner's name or id); default: the event's partner's sellers, or all";

/** Adds `events create|announce|list|cancel|attendees`. */
export const registerEventCommands: RegisterCommands = (program, scope) => {
  const events = program.command("events").description("events: create, announce, list, cancel, attendees (JSON on stdout)");
  const cli = () => import("./cli.ts");
  events
    .command("create")
    .description('create an event from a JSON file; prints {"id": …}')
    .argument("<file>", "event file (format in README, \"Events\")")
    .action((file: string) => scope.run(async (io) => (await cli()).createCommand(io, file)));
  events
    .command("announce")
    .description('queue the announcement broadcast; prints {"broadcastId", "recipients"} with --json (the running "seller-bot start" delivers it)')
    .argument("<EVENT_ID>", "the event's id (events list)")
    .option("--audience <audience>", AUDIENCE_HELP)
    .option("--json", "print the result as JSON")
    .option("--force", "announce it even if it is a sample event (fictional, added for trying the bot)")
    .action((id: string, opts: { audience?: string; json?: boolean; force?: boolean }) => scope.run(async (io) => (await cli()).announceCommand(io, id, opts)));
  events
    .command("list")
    .description("every event with its RSVP counts, as JSON")
    .option("--json", "JSON output (the only format; accepted for scripts)")
    .action(() => scope.run(async (io) => (await cli()).listCommand(io)));
  events
    .command("cancel")
    .description("cancel an event and tell everyone who answered")
    .argument("<EVENT_ID>", "the event's id")
    .action((id: string) => scope.run(async (io) => (await cli()).cancelCommand(io, id)));
  events
    .command("attendees")
    .description("who answered, with their contact channels")
    .argument("<EVENT_ID>", "the event's id")
    .addOption(new Option("--format <format>", "output format").choices(["csv", "json"]).default("json"))
    .action((id: string, opts: { format: "csv" | "json" }) => scope.run(async (io) => (await cli()).attendeesCommand(io, id, opts.format)));
};
