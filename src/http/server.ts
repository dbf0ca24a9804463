/**
 * The process's HTTP server: `GET /health` and whatever routes channels add (the Telegram
 * webhook). node:http only; one port for everything (HTTP_PORT).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A route handler; return false to fall through to 404. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

/** A running HTTP server. */
export interface HttpServer {
  readonly server: Server;
  /** Adds a route, tried in order after /health. */
  route(handler: Route): void;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** Creates the server; `health` reports readiness (e.g. database reachable). */
export function createHttpServer(health: () => Promise<Record<string, unknown>>): HttpServer {
  const routes: Route[] = [];
  const server = createServer(async (req, res) => {
    try {
      if (req.method === "GET" && req.url === "/health") {
        const body = await health().catch((e: unknown) => ({ ok: false, error: String(e) }));
        res.writeHead(body.ok === false ? 503 : 200, { "content-type": "application/json" }).end(JSON.stringify(body));
        return;
      }
      for (const route of routes) if (await route(req, res)) return;
      res.writeHead(404).end();
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  return {
    server,
    route: (handler) => void routes.push(handler),
    listen: (port, host = "0.0.0.0") =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
