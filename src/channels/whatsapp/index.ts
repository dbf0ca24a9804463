/** PLACEHOLDER: the WhatsApp channel is built in its own issue. */
import type { AppDeps } from "../../core/context.ts";
import type { Adapter } from "../../core/types.ts";

/** Creates the WhatsApp adapter (not built yet). */
export async function createWhatsAppChannel(deps: AppDeps): Promise<Adapter> {
  void deps;
  throw new Error("The WhatsApp channel is not built yet.");
}
