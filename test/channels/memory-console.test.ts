import { PassThrough } from "node:stream";
import { ChannelError } from "../../src/core/errors.ts";
import { createConsoleAdapter } from "../../src/channels/console/index.ts";
import { createMemoryAdapter } from "../../src/channels/memory/index.ts";
import { adapterContract } from "../support/adapter-contract.ts";

adapterContract("memory", async () => {
  const adapter = createMemoryAdapter("console");
  const blocked = new Set<string>();
  adapter.failWith = (chatId) => {
    if (blocked.delete(chatId)) throw new ChannelError("blocked", "blocked by user");
  };
  let n = 0;
  return {
    adapter,
    chatIdFor: (userId) => userId,
    // Errors are not swallowed: a receive that fails fails the contract test.
    injectText: async (text, { userId }) => {
      n += 1;
      await adapter.receive({ channel: "console", messageId: `m${n}`, chat: { id: userId, kind: "private" }, sender: { id: userId }, sentAt: new Date(), content: { kind: "text", text } });
    },
    refusesAfterStop: /not started/,
    sentTexts: async (chatId) => adapter.sent.filter((s) => s.chatId === chatId).map((s) => s.message.text),
    failNextSendAsBlocked: (chatId) => void blocked.add(chatId),
    close: async () => undefined,
  };
});

adapterContract("console", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (d: Buffer) => (printed += d.toString()));
  const adapter = createConsoleAdapter({ input, output, interactive: false, userId: "1001" });
  return {
    adapter,
    chatIdFor: () => "1001",
    injectText: async (text) => void input.write(`${text}\n`),
    sentTexts: async () => printed.split("\n\n").map((s) => s.trim()).filter(Boolean),
    // Nobody can block the terminal.
    failNextSendAsBlocked: "cannot-block",
    close: async () => void input.end(),
  };
});
