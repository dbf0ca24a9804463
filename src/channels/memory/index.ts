/**
 * An in-memory channel: records what is sent, lets a test or benchmark inject messages.
 * It is a real adapter (it passes the shared contract suite), used by tests, benchmarks
 * and the local chat's plumbing.
 */
import type { Adapter, ChannelCapabilities, ChannelId, InboundHandler, InboundMessage, OutboundMessage, SentMessage } from "../../core/types.ts";

/** A memory adapter plus helpers to drive it. */
export interface MemoryAdapter extends Adapter {
  /** Everything sent, in order. */
  readonly sent: Array<{ chatId: string; message: OutboundMessage }>;
  /** Delivers a message to the core as if it came from the platform. */
  receive(message: InboundMessage): Promise<void>;
  /** Called before each send; throw a ChannelError to simulate a platform failure. */
  failWith?: (chatId: string, message: OutboundMessage) => void;
}

const DEFAULT_CAPS: ChannelCapabilities = { buttons: false, location: true, files: false, groups: false, maxTextLength: 4096 };

/** Creates a memory adapter that pretends to be `channel`. */
export function createMemoryAdapter(channel: ChannelId = "console", capabilities: Partial<ChannelCapabilities> = {}): MemoryAdapter {
  let handler: InboundHandler | undefined;
  let counter = 0;
  const inFlight = new Set<Promise<void>>();
  const adapter: MemoryAdapter = {
    channel,
    capabilities: { ...DEFAULT_CAPS, ...capabilities },
    sent: [],
    async start(h) {
      handler = h;
    },
    async stop() {
      handler = undefined;
      await Promise.all(inFlight);
    },
    async send(chatId, message): Promise<SentMessage> {
      adapter.failWith?.(chatId, message);
      adapter.sent.push({ chatId, message });
      counter += 1;
      return { messageId: `m${counter}` };
    },
    async receive(message) {
      if (!handler) throw new Error("memory adapter is not started");
      const p = handler(message);
      inFlight.add(p);
      try {
        await p;
      } finally {
        inFlight.delete(p);
      }
    },
  };
  return adapter;
}
