/**
 * The local terminal channel (`seller-bot chat`). Interactive with a prompt on a terminal:
 * what you type is echoed, replies start on a line of their own, wrapped at word boundaries
 * to the terminal's width, with right-to-left marks on Urdu lines (./terminal-text.ts).
 * Otherwise each input line is one message, replies are printed as they are, and the
 * process ends at end of input. `/loc LAT LON` sends a location pin, for trying the partner
 * finder locally.
 *
 * Every console user of the local database is reached through this one terminal: a message
 * to another local user (a broadcast to the local seller, sent while you chat as admin) is
 * printed under a `[to console:ID]` line.
 */
import { randomUUID } from "node:crypto";
import { clearLine, createInterface, cursorTo } from "node:readline";
import { validCoordinates } from "../../core/geo.ts";
import { formatForTerminal } from "./terminal-text.ts";
import type { Adapter, InboundContent, InboundHandler, InboundMessage, OutboundMessage, SentMessage } from "../../core/types.ts";

/** Options for the console channel. */
export interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { columns?: number };
  interactive: boolean;
  /** The local user's id; the same across runs so settings persist. */
  userId?: string;
  /** First words of the greeting line on a terminal (who you are chatting as). */
  banner?: string;
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
  // True while the prompt is on screen waiting for a line (not while a line is being answered).
  let prompting = false;
  const write = (text: string) => options.output.write(text);
  const show = (text: string) => {
    if (!options.interactive) return write(`${text}\n\n`);
    const formatted = formatForTerminal(text, options.output.columns ?? 80);
    if (!prompting) return write(`${formatted}\n\n`);
    // Something arrived while the person is typing (an announcement, a reminder): print it
    // above the prompt and draw the prompt again with what they had typed.
    clearLine(options.output, 0);
    cursorTo(options.output, 0);
    write(`${formatted}\n\n`);
    rl?.prompt(true);
  };

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
      // With `output` readline echoes what is typed and lets it be edited; piped, it only reads.
      rl = options.interactive
        ? createInterface({ input: options.input, output: options.output, terminal: true, prompt: "> " })
        : createInterface({ input: options.input, terminal: false });
      // Ctrl-C ends the chat like Ctrl-D: replies in flight finish, the database closes.
      rl.on("SIGINT", () => rl?.close());
      const prompt = () => {
        prompting = true;
        rl?.prompt();
      };
      if (options.interactive) {
        const banner = `${options.banner ?? "Local chat."} Type a message; "/loc 32.49 74.53" shares a location; Ctrl+D quits.`;
        write(`${formatForTerminal(banner, options.output.columns ?? 80)}\n`);
        prompt();
      }
      // One line at a time: the next line is read only after the previous one is answered,
      // which keeps piped transcripts in order.
      void (async () => {
        for await (const raw of rl!) {
          prompting = false;
          await handler(toInbound(raw));
          if (options.interactive) prompt();
        }
        prompting = false;
        if (options.interactive) write("\n");
        finish();
      })();
    },
    async stop() {
      rl?.close();
    },
    async send(chatId: string, message: OutboundMessage): Promise<SentMessage> {
      let text = message.text;
      if (message.location) {
        const { latitude, longitude, name } = message.location;
        text += `\n📍 ${name ?? ""} https://maps.google.com/?q=${latitude},${longitude}`;
      }
      if (message.file) text += `\n📎 ${message.file.filename} (${message.file.mimeType})`;
      show(chatId === userId ? text : `[to console:${chatId}]\n${text}`);
      return { messageId: `console-${session}-out` };
    },
  };
}
