/** `seller-bot partners …`: declared here, run by ./cli.ts (loaded only when asked). */
import { PARTNER_HELP, parsePartnerRef, type RegisterCommands } from "../../cli/define.ts";

const USER_HELP = "the bot account as CHANNEL:ID, e.g. telegram:123456789 (the id the bot shows with /whoami)";

/** Adds `partners import|export|nearest|approve|deactivate|activate|requests|revoke`. */
export const registerPartnerCommands: RegisterCommands = (program, scope) => {
  const partners = program.command("partners").description("the partner directory and partner accounts");
  const cli = () => import("./cli.ts");
  partners
    .command("import")
    .description("check every row of a CSV file, then add or update the partners by name in one transaction (nothing is written if a row is bad)")
    .argument("<file>", "CSV with columns name,city,address,latitude,longitude,phone,whatsapp,telegram,categories,languages")
    .option("--json", "print the summary as JSON")
    .action((file: string, opts: { json?: boolean }) => scope.run(async (io) => (await cli()).importCommand(io, file, Boolean(opts.json))));
  partners
    .command("export")
    .description("print every partner as CSV (the columns import reads)")
    .action(() => scope.run(async (io) => (await cli()).exportCommand(io)));
  partners
    .command("nearest")
    .description("the nearest active partners to a point or a place, as JSON")
    .option("--json", "JSON output (required)")
    .option("--lat <degrees>", "latitude, -90 to 90 (with --lon)")
    .option("--lon <degrees>", "longitude, -180 to 180 (with --lat)")
    .option("--place <text>", "a town name in English, Urdu or Roman Urdu (instead of --lat/--lon)")
    .option("--limit <k>", "how many, 1 to 1000", "3")
    .option("--category <name>", "only partners serving this category")
    .action((opts: Record<string, string | boolean>) => scope.run(async (io) => (await cli()).nearestCommand(io, opts)));
  partners
    .command("approve")
    .description("make a bot account a member of the partner (approves its pending /partner request) and approve the partner")
    .argument("<partner...>", PARTNER_HELP)
    .requiredOption("--user <channel:id>", USER_HELP)
    .action((words: string[], opts: { user: string }) => scope.run(async (io) => (await cli()).approveCommand(io, parsePartnerRef(words.join(" ")), opts.user)));
  for (const [name, active, what] of [
    ["deactivate", false, "hide a partner from the finder; its sellers are told and offered the nearest active partner"],
    ["activate", true, "offer a deactivated partner in the finder again"],
  ] as const) {
    partners
      .command(name)
      .description(what)
      .argument("<partner...>", PARTNER_HELP)
      .option("--json", 'print {"name","active","changed","sellersTold"}')
      .action((words: string[], opts: { json?: boolean }) => scope.run(async (io) => (await cli()).activeCommand(io, parsePartnerRef(words.join(" ")), active, Boolean(opts.json))));
  }
  partners
    .command("requests")
    .description("pending partner account requests (/partner CODE), oldest first, with the approve command for each")
    .option("--json", "print them as JSON")
    .action((opts: { json?: boolean }) => scope.run(async (io) => (await cli()).requestsCommand(io, Boolean(opts.json))));
  partners
    .command("revoke")
    .description("take a partner account away again (the user becomes a seller)")
    .requiredOption("--user <channel:id>", USER_HELP)
    .action((opts: { user: string }) => scope.run(async (io) => (await cli()).revokeCommand(io, opts.user)));
};
