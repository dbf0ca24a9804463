/** PLACEHOLDER: the Telegram channel is built in its own issue. */
import type { AppDeps } from "../../core/context.ts";
import type { Adapter } from "../../core/types.ts";
import type { HttpServer } from "../../http/server.ts";

/** Creates the Telegram adapter (not built yet). */
export async function createTelegramChannel(deps: AppDeps, http: HttpServer): Promise<Adapter> {
  void deps;
  void http;
  throw new Error("The Telegram channel is not built yet.");
}
