/**
 * A TCP proxy that can go silent, for database-stall tests and benchmarks: in front of
 * PostgreSQL it forwards bytes both ways until `stall()`; then it still accepts connections
 * but forwards nothing and throws away what arrives (a server that "hangs": no answer, no
 * reset), until `resume()`. Bytes lost during a stall are lost for good, as on a real
 * network partition: a client that sent a query then must notice by itself (timeouts) and
 * reconnect. Connections opened during a stall stay silent for ever.
 */
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** True between `stall()` and `resume()`. */
  readonly stalled: boolean;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** `postgres://…@127.0.0.1:<port>/…`: the same URL pointed at the proxy. */
  url(target: string): string;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (host:port) on a free local port. */
export async function createTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let stalled = false;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
  };
  const server: Server = createServer((client) => {
    accepted += 1;
    track(client);
    if (stalled) return; // accepted, and silent for good
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.on("data", (data) => void (stalled || upstream.write(data)));
    upstream.on("data", (data) => void (stalled || client.write(data)));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get stalled() {
      return stalled;
    },
    get accepted() {
      return accepted;
    },
    url(targetUrl) {
      const u = new URL(targetUrl);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    stall: () => void (stalled = true),
    resume: () => void (stalled = false),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A local port nothing listens on (taken and given back), for a server a test starts later. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
