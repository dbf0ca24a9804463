/**
 * `seller-bot whatsapp login [--pairing-code PHONE] [--reset]`: links a WhatsApp number to
 * the bot as a linked device, showing a QR code in the terminal or printing a pairing code,
 * and stores the session in the database (so `seller-bot start` anywhere can use it).
 */
import pino from "pino";
import qrcode from "qrcode-terminal";
import { z } from "zod";
import { usageError, type CliIO } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { openConfiguredDatabase } from "../../db/client.ts";
import { deleteSession } from "./auth-store.ts";
import { createLease, processOwner } from "./lease.ts";
import { createWhatsAppSession, type EndReason } from "./session.ts";
import type { SocketFactory, WhatsAppSocket } from "./socket.ts";

/** A phone number in international form: country code and number, digits only. */
export const phoneSchema = z
  .string()
  .transform((s) => s.replace(/[\s\-().]/g, "").replace(/^\+/, "").replace(/^00/, ""))
  .pipe(
    z
      .string()
      .regex(/^\d+$/, "expected digits only, e.g. 923001234567")
      .regex(/^[1-9]/, "start with the country code (92 for Pakistan), not 0: e.g. 923001234567")
      .min(8, "too short: country code and number, e.g. 923001234567")
      .max(15, "too long: at most 15 digits"),
  );

/** Test seams: a fake socket instead of Baileys'. */
export interface WhatsAppCliOptions {
  socketFactory?: SocketFactory;
  session?: string;
}

/** `seller-bot whatsapp ARGV` with these streams and seams (tests). */
export function runWhatsApp(argv: string[], io: CliIO, options: WhatsAppCliOptions = {}): Promise<number> {
  return main(["whatsapp", ...argv], { ...io, seams: { whatsapp: options } });
}

/** `whatsapp login [--pairing-code PHONE] [--reset]` (arguments declared in ./commands.ts). */
export async function loginCommand(io: CliIO, args: { pairingCode?: string; reset: boolean }, options: WhatsAppCliOptions = {}): Promise<number> {
  let phone: string | undefined;
  if (args.pairingCode !== undefined) {
    const checked = phoneSchema.safeParse(args.pairingCode);
    if (!checked.success) return usageError(io, `--pairing-code: ${checked.error.issues[0]?.message ?? "invalid phone number"}`);
    phone = checked.data;
  }
  return login(io, { phone, reset: args.reset, ...options });
}

async function login(io: CliIO, o: WhatsAppCliOptions & { phone?: string; reset: boolean }): Promise<number> {
  const { config } = io;
  const database = await openConfiguredDatabase(config.database);
  const quiet = config.logLevel === "info" ? "warn" : config.logLevel;
  const log = pino({ level: quiet, base: { app: "seller-bot" } }, io.stderr as unknown as pino.DestinationStream);
  const session = o.session ?? "default";
  const owner = processOwner();
  try {
    if (o.reset) {
      // Clearing the session of a running bot would cut it off mid-conversation: take the lease first.
      const lease = createLease(database.prisma, session, { owner });
      const taken = await lease.acquire();
      if (!taken.ok) return held(io, taken.holder);
      const removed = await deleteSession(database.prisma, session);
      io.stderr.write(`Stored WhatsApp session cleared (${removed} rows).\n`);
    }
    let resolveDone: (code: number) => void = () => undefined;
    const done = new Promise<number>((r) => (resolveDone = r));
    let pairingAsked = false;
    const wa = createWhatsAppSession({
      db: database.prisma,
      log,
      session,
      mode: "login",
      socketFactory: o.socketFactory,
      lease: { owner },
      onQr: (qr, socket) => {
        if (o.phone) {
          if (pairingAsked) return;
          pairingAsked = true;
          void requestCode(io, socket, o.phone).then((ok) => ok || resolveDone(1));
          return;
        }
        io.stdout.write("Scan this QR code with WhatsApp on the bot's phone: Settings → Linked devices → Link a device.\n");
        qrcode.generate(qr, { small: true }, (art: string) => io.stdout.write(`${art}\n`));
      },
      onOpen: (socket) => {
        const name = socket.user?.name ? ` as "${socket.user.name}"` : "";
        io.stdout.write(`Linked${name}. The session is saved in the database; start the bot with WHATSAPP_ENABLED=true npx seller-bot start\n`);
        resolveDone(0);
      },
      onEnd: (reason) => resolveDone(reportEnd(io, reason)),
    });
    const started = await wa.start();
    if (started.status === "held") return held(io, started.holder);
    if (started.status === "corrupt") {
      io.stderr.write(`${started.error.message}\n`);
      return 1;
    }
    const code = await done;
    await wa.flush();
    await wa.stop();
    return code;
  } finally {
    await database.close();
  }
}

async function requestCode(io: CliIO, socket: WhatsAppSocket, phone: string): Promise<boolean> {
  if (!socket.requestPairingCode) {
    io.stderr.write("This WhatsApp socket cannot make pairing codes; use the QR code instead.\n");
    return false;
  }
  try {
    const code = await socket.requestPairingCode(phone);
    const shown = code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
    io.stdout.write(`Pairing code: ${shown}\nOn the bot's phone: WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and enter the code.\n`);
    return true;
  } catch (error) {
    io.stderr.write(`WhatsApp refused a pairing code: ${(error as Error).message}\n`);
    return false;
  }
}

function held(io: CliIO, holder: { owner: string; heartbeatAt: Date }): number {
  const ago = Math.max(0, Math.round((Date.now() - holder.heartbeatAt.getTime()) / 1000));
  io.stderr.write(
    `This WhatsApp number is in use by another seller-bot process (${holder.owner}, last heartbeat ${ago}s ago). ` +
      "Stop it first, or wait a minute if it has crashed.\n",
  );
  return 1;
}

function reportEnd(io: CliIO, reason: EndReason): number {
  switch (reason.kind) {
    case "logged-out":
      io.stderr.write("WhatsApp refused the link (logged out). Run the login again.\n");
      return 1;
    case "closed":
      // Baileys ends an unscanned QR with 408 "QR refs attempts ended"; a network fault is also 408.
      io.stderr.write(
        /QR refs/i.test(reason.message)
          ? "The code was not scanned in time. Run the login again when the phone is at hand.\n"
          : `Could not link: WhatsApp closed the connection (${reason.statusCode ?? "no status"}: ${reason.message}). Check the network and run the login again.\n`,
      );
      return 1;
    default:
      io.stderr.write(`Login stopped (${reason.kind}).\n`);
      return 1;
  }
}
