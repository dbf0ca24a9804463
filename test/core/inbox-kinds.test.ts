/** Messages of the kinds issue 14 added come back whole from the inbox (a replay after a crash reads them from there). */
import { describe, expect, it } from "vitest";
import { parseStoredMessage, serializeMessage } from "../../src/core/inbox.ts";
import type { InboundMessage } from "../../src/core/types.ts";

const base = { channel: "telegram" as const, messageId: "1:2", sender: { id: "1" }, sentAt: new Date("2026-12-01T10:00:00Z") };

describe("inbox round trip (issue 14 kinds)", () => {
  it("keeps a voice note's media, a caption's attachment, the forum topic, the reply id and a migration", () => {
    const messages: InboundMessage[] = [
      { ...base, chat: { id: "1", kind: "private" }, content: { kind: "voice", media: { channel: "telegram", type: "voice", ref: "voice:AwAC", mimeType: "audio/ogg", durationSeconds: 7 } } },
      { ...base, chat: { id: "-100", kind: "group", title: "G", threadId: "305" }, addressedToBot: true, replyToMessageId: "42", content: { kind: "text", text: "price?", attachment: { channel: "whatsapp", type: "image", ref: "{}", filename: "a.jpg" } } },
      { ...base, chat: { id: "-4518810793", kind: "group" }, content: { kind: "event", event: "group-migrated", fromChatId: "-4518810793", toChatId: "-1002471352452" } },
    ];
    for (const m of messages) expect(parseStoredMessage(serializeMessage(m))).toEqual(m);
  });

  it("still refuses a row whose media is malformed", () => {
    const bad = { ...base, chat: { id: "1", kind: "private" }, content: { kind: "voice", media: { channel: "telegram", type: "hologram", ref: 3 } } };
    expect(parseStoredMessage(JSON.stringify(bad))).toBeUndefined();
  });
});
