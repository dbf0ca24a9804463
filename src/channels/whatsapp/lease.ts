/**
 * One WhatsApp number, one process. Two sockets on the same linked device kick each other
 * off ("connection replaced") and race on the Signal keys, so a process must hold the
 * number's lease row (owner + heartbeat) before it connects. A lease whose heartbeat is
 * older than the TTL is free to take: its holder died without releasing it.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "../../db/client.ts";
import { isUniqueViolation } from "../../core/users.ts";

/** Who holds a number when this process was refused it. */
export interface LeaseHolder {
  owner: string;
  heartbeatAt: Date;
}

/** A lease on one session. */
export interface Lease {
  readonly owner: string;
  /** Takes the lease if free (or already ours); otherwise returns who holds it. */
  acquire(): Promise<{ ok: true } | { ok: false; holder: LeaseHolder }>;
  /** Renews the heartbeat; false when the lease is no longer ours. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/** How long a silent holder keeps the number (ms); renew at a third of it. */
export const LEASE_TTL_MS = 60_000;

/** A unique owner name for this process: host, pid and a random tag. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** Creates the lease for `session`; `now` is the clock (shared wall time across machines). */
export function createLease(db: Db, session: string, options: { owner?: string; now?: () => Date; ttlMs?: number } = {}): Lease {
  const owner = options.owner ?? processOwner();
  const now = options.now ?? (() => new Date());
  const ttl = options.ttlMs ?? LEASE_TTL_MS;
  return {
    owner,
    async acquire() {
      const at = now();
      try {
        await db.whatsAppLease.create({ data: { session, owner, heartbeatAt: at, acquiredAt: at } });
        return { ok: true };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      // One UPDATE with the condition in it: of two processes racing, only one matches.
      const taken = await db.whatsAppLease.updateMany({
        where: { session, OR: [{ owner }, { heartbeatAt: { lt: new Date(at.getTime() - ttl) } }] },
        data: { owner, heartbeatAt: at, acquiredAt: at },
      });
      if (taken.count === 1) return { ok: true };
      const row = await db.whatsAppLease.findUnique({ where: { session } });
      if (!row) return this.acquire();
      return { ok: false, holder: { owner: row.owner, heartbeatAt: row.heartbeatAt } };
    },
    async renew() {
      const r = await db.whatsAppLease.updateMany({ where: { session, owner }, data: { heartbeatAt: now() } });
      return r.count === 1;
    },
    async release() {
      await db.whatsAppLease.deleteMany({ where: { session, owner } });
    },
  };
}
