/**
 * How a command is declared (docs/decisions/0901-commander-for-the-cli.md): each feature's
 * `commands.ts` adds its subcommands to the commander program with their arguments, options
 * and help, and its action loads the feature's `cli.ts` only when it runs. So `--help`
 * knows every command, and `ask` never loads Telegram or WhatsApp code.
 */
import { InvalidArgumentError, type Command } from "commander";
import type { CliIO } from "./io.ts";

/** Test seams passed through the program to the commands that take them. */
export interface CliSeams {
  /** `whatsapp login`: a fake socket instead of Baileys' (see src/channels/whatsapp/cli.ts). */
  whatsapp?: import("../channels/whatsapp/cli.ts").WhatsAppCliOptions;
}

/** What a command declaration gets besides the program. */
export interface CliScope {
  /** Runs an action with the streams and the configuration (loaded on first use); its return value is the exit code. */
  run(action: (io: CliIO) => Promise<number>): Promise<void>;
  seams: CliSeams;
}

/** A feature's command declarations. */
export type RegisterCommands = (program: Command, scope: CliScope) => void;

/** commander argument parser: a database id (1 … 2^31-1). */
export function parseId(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 2_147_483_647) throw new InvalidArgumentError("expected a positive whole number.");
  return Number(value);
}

/**
 * A partner given by id (`12`) or by name (`"Sialkot Trade Link"`, any case). Resolved by
 * the command against the database (src/cli/partner-ref.ts).
 */
export type PartnerRef = { id: number } | { name: string };

/** commander argument parser for a partner: digits are an id, anything else a name. */
export function parsePartnerRef(value: string): PartnerRef {
  const v = value.trim();
  if (v === "") throw new InvalidArgumentError("expected a partner's name or id.");
  return /^\d+$/.test(v) ? { id: parseId(v) } : { name: v };
}

/** How help describes a partner argument. */
export const PARTNER_HELP = 'a partner\'s name (any case, in quotes if it has spaces) or its id';

/** Who the terminal chats as. */
export type LocalRole = { kind: "seller" } | { kind: "admin" } | { kind: "partner"; partner: PartnerRef };

/** commander parser for `--as`. */
export function parseLocalRole(value: string): LocalRole {
  const v = value.trim();
  if (v === "seller") return { kind: "seller" };
  if (v === "admin") return { kind: "admin" };
  const m = /^partner:(.*)$/s.exec(v);
  if (m) {
    try {
      return { kind: "partner", partner: parsePartnerRef(m[1]!) };
    } catch {
      throw new InvalidArgumentError('expected a partner after "partner:", e.g. partner:"Sialkot Trade Link" or partner:3.');
    }
  }
  throw new InvalidArgumentError('expected seller, admin or partner:NAME (a partner\'s name or id).');
}
