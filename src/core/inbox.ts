/**
 * Helpers of the inbox (docs/decisions/0008-inbound-inbox.md): who holds a claim, which
 * holders are dead processes of this machine, how a message is stored and read back, and
 * the job that replays rows a crash or a stall left unhandled.
 */
import { randomBytes } from "node:crypto";
import { readlinkSync } from "node:fs";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { z } from "zod";
import type { Job } from "./context.ts";
import { CHANNEL_IDS, type InboundMessage } from "./types.ts";

// Same for every core of this process, different for the next process with the same pid
// (a restarted container is pid 1 again).
const PROCESS_START = String(Math.round(performance.timeOrigin));
// Containers on one host may share a hostname but never a pid namespace: a pid is only
// looked up among the processes we can see.
const PID_NAMESPACE = (() => {
  try {
    return /\d+/.exec(readlinkSync("/proc/self/ns/pid"))?.[0] ?? "0";
  } catch {
    return "0";
  }
})();

/**
 * This process's name on its claims: `host:pidNamespace:pid:processStart:random`. Tests
 * pass another pid to stand for a process that has gone.
 */
export function createOwnerId(as: { pid?: number } = {}): string {
  return [hostname().replaceAll(":", "_"), PID_NAMESPACE, as.pid ?? process.pid, PROCESS_START, randomBytes(3).toString("hex")].join(":");
}

/**
 * Claim holders that are processes of this machine (and pid namespace) which no longer
 * run: their rows are taken at once instead of after the lease, so a restarted bot answers
 * straight away. Holders elsewhere, or a pid that is in use again, wait for their lease.
 */
export function deadOwners(owners: string[], self: string): string[] {
  const [host, ns, pid, start] = self.split(":");
  return owners.filter((owner) => {
    const [h, n, p, s] = owner.split(":");
    if (h !== host || n !== ns || !p || !s || owner === self) return false;
    if (p === pid) return s !== start; // an earlier process that had our pid
    return !isRunning(Number(p));
  });
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Issue 14: voice notes, captions (attachment), forum topics, replies and group migrations
// must survive a replay from the inbox like everything else.
const mediaRefSchema = z.object({
  channel: z.enum(CHANNEL_IDS),
  type: z.enum(["voice", "audio", "image", "video", "document"]),
  ref: z.string(),
  mimeType: z.string().optional(),
  durationSeconds: z.number().optional(),
  filename: z.string().optional(),
});

const messageSchema = z.object({
  channel: z.enum(CHANNEL_IDS),
  messageId: z.string(),
  chat: z.object({ id: z.string(), kind: z.enum(["private", "group"]), title: z.string().optional(), threadId: z.string().optional() }),
  sender: z.object({ id: z.string(), displayName: z.string().optional(), languageHint: z.string().optional(), aliases: z.array(z.string()).optional() }),
  addressedToBot: z.boolean().optional(),
  sentAt: z.coerce.date(),
  content: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("text"), text: z.string(), attachment: mediaRefSchema.optional() }),
    z.object({ kind: z.literal("voice"), media: mediaRefSchema }),
    z.object({ kind: z.literal("choice"), data: z.string(), label: z.string().optional() }),
    z.object({ kind: z.literal("location"), latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }),
    z.object({ kind: z.literal("unsupported"), what: z.string() }),
    z.object({
      kind: z.literal("event"),
      event: z.enum(["added-to-group", "removed-from-group", "blocked", "unblocked", "group-migrated"]),
      fromChatId: z.string().optional(),
      toChatId: z.string().optional(),
    }),
  ]),
  replyToMessageId: z.string().optional(),
});

/** The stored form of a message (JSON). */
export function serializeMessage(message: InboundMessage): string {
  return JSON.stringify(message);
}

/** Reads a stored message back; undefined when the row is unreadable. */
export function parseStoredMessage(payload: string | null): InboundMessage | undefined {
  if (!payload) return undefined;
  try {
    const parsed = messageSchema.safeParse(JSON.parse(payload));
    return parsed.success ? (parsed.data as InboundMessage) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replays the inbox every `everyMs` (first right at start): rows a crashed process left, and
 * rows whose retry is due after a stall. `replay` is the core's.
 */
export function createInboxReplayJob(replay: () => Promise<number>, log: Logger, everyMs = 2000): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = replay()
      .then((n) => {
        if (n > 0) log.info({ replayed: n }, "inbox: handling messages left unhandled");
      })
      .catch((err: unknown) => log.warn({ err }, "inbox replay failed; trying again"))
      .finally(() => (busy = false));
  };
  return {
    name: "core.inbox",
    start() {
      tick();
      timer = setInterval(tick, everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
