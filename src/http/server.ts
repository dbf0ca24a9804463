/**
 * The process's HTTP server: `GET /health` and whatever routes channels add (the Telegram
 * webhook). node:http only; one port for everything (HTTP_PORT), on one address (HTTP_HOST,
 * loopback unless configured: the Docker image sets 0.0.0.0).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A route handler; return false to fall through to 404. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

/** What `/health` reports: 200 when `ok`, else 503. Never carries error text. */
export interface Health {
  ok: boolean;
  [key: string]: unknown;
}

/** A running HTTP server. */
export interface HttpServer {
  readonly server: Server;
  /** Adds a route, tried in order after /health. */
  route(handler: Route): void;
  /** Listens on `host` (default 127.0.0.1); resolves with the port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** The largest request body a route reads: 1 MB (a Telegram update is a few KB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A refusal with an HTTP status, thrown by a route or by {@link readBody}. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Reads a request body; more than `limit` bytes (declared or sent) is refused with 413. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new HttpError(413, "request body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** What the server reads and throws away of a body nobody read (a refused request), at most. */
const DISCARD_LIMIT = 8 * MAX_BODY_BYTES;

/**
 * A request answered without reading its body (401, 413 …): read the rest and throw it away,
 * so the client can finish sending and read the answer, and the socket becomes idle; past
 * a few MB the socket is simply closed.
 */
function discardUnread(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > DISCARD_LIMIT) req.destroy();
  });
  req.resume();
}

/** Creates the server; `health` reports readiness (the database answering, the channels running). */
export function createHttpServer(health: () => Promise<Health>): HttpServer {
  const routes: Route[] = [];
  const server = createServer(async (req, res) => {
    try {
      if (req.method === "GET" && req.url === "/health") {
        // Whatever went wrong stays in the log: the body is for load balancers and strangers.
        const body = await health().catch((): Health => ({ ok: false }));
        res.writeHead(body.ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
        return;
      }
      // Every route (webhooks to come included) gets at most 1 MB; chunked bodies are
      // counted by readBody as they arrive.
      if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw new HttpError(413, "request body too large");
      for (const route of routes) if (await route(req, res)) return discardUnread(req);
      res.writeHead(404).end();
      discardUnread(req);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent) res.writeHead(status, { connection: "close" });
      res.end();
      discardUnread(req);
    }
  });
  return {
    server,
    route: (handler) => void routes.push(handler),
    listen: (port, host = "127.0.0.1") =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        // Keep-alive sockets would hold close() open until they time out: close each as
        // soon as it is idle; requests in flight may finish.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
