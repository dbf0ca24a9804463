/**
 * The local terminal channel (`seller-bot chat`). Interactive with a prompt on a terminal;
 * otherwise each input line is one message and the process ends at end of input.
 * `/loc LAT LON` sends a location pin, for trying the partner finder locally.
 */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { validCoordinates } from "../../core/geo.ts";
import type { Adapter, InboundContent, InboundHandler, InboundMessage, OutboundMessage, SentMessage } from "../../core/types.ts";

/** Options for the console channel. */
export interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
  /** The local user's id; the same across runs so settings persist. */
  userId?: string;
}

/** A console adapter; `done` resolves when input ends and every line was answered. */
export interface ConsoleAdapter extends Adapter {
  readonly done: Promise<void>;
}

/**
 * A line as the core sees it: `/loc LAT LON` (or `/location LAT, LON`) is a pin when both
 * are decimal numbers in range; any other `/loc` line is an invalid location, answered
 * with the valid ranges (never stored).
 */
function consoleContent(raw: string): InboundContent {
  const loc = /^\/loc(?:ation)?(?:\s+(.*))?$/i.exec(raw.trim());
  if (!loc) return { kind: "text", text: raw };
  const parts = (loc[1] ?? "").trim().split(/\s*[,\s]\s*/);
  const numbers = parts.length === 2 && parts.every((p) => /^[-+]?\d{1,3}(\.\d+)?$/.test(p)) ? parts.map(Number) : [];
  const [latitude, longitude] = numbers;
  return validCoordinates(latitude, longitude) ? { kind: "location", latitude, longitude: longitude as number } : { kind: "unsupported", what: "invalid-location" };
}

/** Creates the console channel. */
export function createConsoleAdapter(options: ConsoleOptions): ConsoleAdapter {
  const session = randomUUID().slice(0, 8);
  const userId = options.userId ?? "local";
  let line = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let rl: ReturnType<typeof createInterface> | undefined;
  const write = (text: string) => options.output.write(text);

  const toInbound = (raw: string): InboundMessage => {
    line += 1;
    return {
      channel: "console",
      messageId: `${session}-${line}`,
      chat: { id: userId, kind: "private" },
      sender: { id: userId, displayName: undefined },
      sentAt: new Date(),
      content: consoleContent(raw),
    };
  };

  return {
    channel: "console",
    capabilities: { buttons: false, location: true, files: true, groups: false, maxTextLength: 4096 },
    done,
    async start(handler: InboundHandler) {
      rl = createInterface({ input: options.input, terminal: options.interactive });
      // Ctrl-C ends the chat like Ctrl-D: replies in flight finish, the database closes.
      rl.on("SIGINT", () => rl?.close());
      if (options.interactive) {
        write('Local chat. Type a message; "/loc 32.49 74.53" shares a location; Ctrl+D quits.\n> ');
      }
      // One line at a time: the next line is read only after the previous one is answered,
      // which keeps piped transcripts in order.
      void (async () => {
        for await (const raw of rl!) {
          await handler(toInbound(raw));
          if (options.interactive) write("> ");
        }
        finish();
      })();
    },
    async stop() {
      rl?.close();
    },
    async send(_chatId: string, message: OutboundMessage): Promise<SentMessage> {
      let text = message.text;
      if (message.location) {
        const { latitude, longitude, name } = message.location;
        text += `\n📍 ${name ?? ""} https://maps.google.com/?q=${latitude},${longitude}`;
      }
      if (message.file) text += `\n📎 ${message.file.filename} (${message.file.mimeType})`;
      write(`${text}\n\n`);
      return { messageId: `console-${session}-out` };
    },
  };
}
