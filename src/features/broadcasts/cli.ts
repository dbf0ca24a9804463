/** PLACEHOLDER: built in its own issue. */
import type { CliIO } from "../../cli/io.ts";

/** Not built yet. */
export async function runBroadcasts(argv: string[], io: CliIO): Promise<number> {
  void argv;
  io.stderr.write("This command is not built yet.\n");
  return 1;
}
