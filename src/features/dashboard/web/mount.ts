/**
 * Puts the dashboard on the process's HTTP server (src/http/server.ts): requests under
 * /dashboard go to the Hono app through @hono/node-server's request listener; everything
 * else falls through to the server's other routes.
 */
import { getRequestListener } from "@hono/node-server";
import type { AppDeps } from "../../../core/context.ts";
import type { Route } from "../../../http/server.ts";
import { createDashboardApp, type DashboardOptions } from "./app.ts";

/** The route serving /dashboard and everything under it. */
export function createDashboardRoute(deps: AppDeps, options: DashboardOptions = {}): Route {
  const app = createDashboardApp(deps, options);
  // Leave the global Request/Response alone: other code in the process uses fetch too.
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  return async (req, res) => {
    if (!/^\/dashboard(?:[/?#]|$)/.test(req.url ?? "")) return false;
    await listener(req, res);
    return true;
  };
}
