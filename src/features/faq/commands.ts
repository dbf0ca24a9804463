/** `seller-bot ask`: declared here, run by ./cli.ts (loaded only when asked). */
import type { RegisterCommands } from "../../cli/define.ts";

/** Adds `ask`. */
export const registerFaqCommands: RegisterCommands = (program, scope) => {
  program
    .command("ask")
    .description("answer a question as the bot would for a new user (without TEXT: one question per line on stdin)")
    .argument("[text...]", "the question (quotes optional)")
    .option("--json", 'one JSON object per question: {"text","lang","intent","entities","topic","score","answer","suggestions"}')
    .action((words: string[], opts: { json?: boolean }) =>
      scope.run(async (io) => (await import("./cli.ts")).runAsk(io, { json: Boolean(opts.json), text: words.length ? words.join(" ") : undefined })),
    );
};
