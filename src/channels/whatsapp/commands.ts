/** `seller-bot whatsapp login`: declared here, run by ./cli.ts (loaded only when asked). */
import type { RegisterCommands } from "../../cli/define.ts";

/** Adds `whatsapp login`. */
export const registerWhatsAppCommands: RegisterCommands = (program, scope) => {
  program
    .command("whatsapp")
    .description("the WhatsApp number the bot uses")
    .command("login")
    .description("link the bot's WhatsApp number as a linked device (QR code in the terminal, or a pairing code); the session is stored in the database")
    .option("--pairing-code <phone>", "print a code to enter on the phone instead of a QR code; PHONE in international form, e.g. 923001234567")
    .option("--reset", "clear the stored session first")
    .action((opts: { pairingCode?: string; reset?: boolean }) =>
      scope.run(async (io) => (await import("./cli.ts")).loginCommand(io, { pairingCode: opts.pairingCode, reset: Boolean(opts.reset) }, scope.seams.whatsapp)),
    );
};
