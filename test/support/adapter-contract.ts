/**
 * The contract every channel adapter passes (memory, console, Telegram, WhatsApp).
 * Each adapter's test file calls `adapterContract(name, makeHarness)` with a harness that
 * knows how to inject a native update and read back what was sent natively.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChannelError } from "../../src/core/errors.ts";
import { createMessenger } from "../../src/core/messenger.ts";
import type { Adapter, Choice, InboundMessage, OutboundMessage } from "../../src/core/types.ts";
import { createI18n } from "../../src/i18n/index.ts";

/** What the contract needs to drive one adapter. */
export interface AdapterHarness {
  adapter: Adapter;
  /** Makes the platform deliver a plain text message from a person; resolves once handed to the handler or earlier. */
  injectText(text: string, from: { userId: string; chatId?: string }): Promise<void>;
  /** Texts the platform received for a chat, in order (as plain text after unescaping). */
  sentTexts(chatId: string): Promise<string[]>;
  /** The chat id the adapter uses for a private chat with `userId`. */
  chatIdFor(userId: string): string;
  /**
   * Makes the next send to `chatId` fail as the platform would for a blocked user, or
   * "cannot-block" for a channel where nobody can block the bot (the terminal): then the
   * contract checks that sends keep arriving instead.
   */
  failNextSendAsBlocked: ((chatId: string) => void) | "cannot-block";
  /** What injecting after stop() rejects with, for adapters that refuse it (undefined: the message is dropped). */
  refusesAfterStop?: RegExp;
  /** For channels with buttons: the buttons the platform received for a chat, in order. */
  sentButtons?(chatId: string): Promise<Choice[]>;
  close(): Promise<void>;
}

const i18n = createI18n();

/** Registers the shared adapter contract tests. */
export function adapterContract(name: string, make: () => Promise<AdapterHarness>): void {
  describe(`adapter contract: ${name}`, () => {
    let h: AdapterHarness | undefined;
    afterEach(async () => {
      await h?.adapter.stop();
      await h?.close();
      h = undefined;
    });

    it("declares its channel and sane capabilities", async () => {
      h = await make();
      expect(["telegram", "whatsapp", "console", "whatsapp-cloud"]).toContain(h.adapter.channel);
      expect(h.adapter.capabilities.maxTextLength).toBeGreaterThanOrEqual(1000);
    });

    it("turns a native text message into an InboundMessage", async () => {
      h = await make();
      const received: InboundMessage[] = [];
      await h.adapter.start(async (m) => void received.push(m));
      await h.injectText("hello there", { userId: "1001" });
      await waitFor(() => received.length === 1);
      const m = received[0]!;
      expect(m.channel).toBe(h.adapter.channel);
      expect(m.content).toEqual({ kind: "text", text: "hello there" });
      expect(m.chat.kind).toBe("private");
      expect(m.chat.id).toBe(h.chatIdFor("1001"));
      expect(m.messageId).toBeTruthy();
      expect(m.sender.id).toBeTruthy();
    });

    it("sends text, returning a message id, with user-supplied markup kept literal", async () => {
      h = await make();
      await h.adapter.start(async () => undefined);
      const chatId = h.chatIdFor("1002");
      const text = "Price <b>50</b> & *bold* _x_ ~y~ `z`";
      const sent = await h.adapter.send(chatId, { text });
      expect(sent.messageId).toBeTruthy();
      expect(await h.sentTexts(chatId)).toContain(text);
    });

    it("sends choices in a form the user can answer: buttons, or a numbered list", async () => {
      h = await make();
      await h.adapter.start(async () => undefined);
      const chatId = h.chatIdFor("1003");
      const choices = [{ data: "x:1", label: "Going" }, { data: "x:2", label: "Maybe" }];
      // Through the messenger, as the core sends: it turns choices into a numbered list
      // where the channel has no buttons.
      const messenger = createMessenger({ hot: undefined as never, i18n });
      messenger.register(h.adapter);
      await messenger.send({ channel: h.adapter.channel, chatId, lang: "en" }, { text: "Pick one", choices });
      const text = (await h.sentTexts(chatId)).join("\n");
      expect(text).toContain("Pick one");
      if (h.adapter.capabilities.buttons) {
        expect(h.sentButtons, "a channel with buttons must let the contract read them").toBeDefined();
        expect(await h.sentButtons!(chatId)).toEqual(choices);
      } else {
        expect(text).toMatch(/^1\. Going$/m);
        expect(text).toMatch(/^2\. Maybe$/m);
        expect(text).toContain(i18n.t("en")("common:choices.replyWithNumber"));
      }
    });

    it("translates a blocked user into ChannelError(blocked), or keeps delivering where nobody can block", async () => {
      h = await make();
      await h.adapter.start(async () => undefined);
      const chatId = h.chatIdFor("1004");
      if (h.failNextSendAsBlocked === "cannot-block") {
        await expect(h.adapter.send(chatId, { text: "still here" })).resolves.toMatchObject({ messageId: expect.any(String) });
        expect(await h.sentTexts(chatId)).toContain("still here");
        return;
      }
      h.failNextSendAsBlocked(chatId);
      const error = await h.adapter.send(chatId, { text: "hi" }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelError);
      expect((error as ChannelError).kind).toBe("blocked");
      expect((error as ChannelError).retryable).toBe(false);
      // Nothing reached the person.
      expect(await h.sentTexts(chatId)).not.toContain("hi");
    });

    it("stops taking messages after stop()", async () => {
      h = await make();
      const received: InboundMessage[] = [];
      await h.adapter.start(async (m) => void received.push(m));
      // The same injection works while running, so "nothing after stop" below means something.
      await h.injectText("early", { userId: "1005" });
      await waitFor(() => received.length === 1);
      await h.adapter.stop();
      const late = h.injectText("late", { userId: "1005" });
      if (h.refusesAfterStop) await expect(late).rejects.toThrow(h.refusesAfterStop);
      else await late;
      await new Promise((r) => setTimeout(r, 100));
      expect(received.map((m) => m.content)).toEqual([{ kind: "text", text: "early" }]);
    });
  });
}

/** Polls until `check` is true (2 s at most). */
export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}
