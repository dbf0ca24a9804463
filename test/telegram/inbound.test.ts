/** Native update → InboundMessage: commands, mentions, groups, media, membership, bad input. */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { toInbound, type BotIdentity, type InboundDecision } from "../../src/channels/telegram/index.ts";

const me: BotIdentity = { id: 999, username: "seller_test_bot" };
const alice = { id: 1001, is_bot: false, first_name: "Ayesha", last_name: "Khan", language_code: "ur" };
const dm = { id: 1001, type: "private", first_name: "Ayesha" };
const group = { id: -100555, type: "supergroup", title: "Sialkot Exporters" };
let n = 0;

function msg(fields: Record<string, unknown>, chat: Record<string, unknown> = dm): Update {
  n += 1;
  return { update_id: n, message: { message_id: n, date: 1_700_000_000, from: alice, chat, ...fields } } as unknown as Update;
}
const delivered = (d: InboundDecision) => {
  expect(d.action).toBe("deliver");
  return (d as Extract<InboundDecision, { action: "deliver" }>).message;
};

describe("toInbound: private chats", () => {
  it("maps text with sender, language hint and a stable message id", () => {
    const m = delivered(toInbound(msg({ text: "what documents do I need?" }), me));
    expect(m).toMatchObject({
      channel: "telegram",
      chat: { id: "1001", kind: "private" },
      sender: { id: "1001", displayName: "Ayesha Khan", languageHint: "ur" },
      content: { kind: "text", text: "what documents do I need?" },
    });
    expect(m.messageId).toBe(`1001:${n}`);
    expect(m.sentAt.getTime()).toBe(1_700_000_000_000);
  });

  it("normalises /cmd@botname to /cmd and passes deep-link payloads through", () => {
    expect(delivered(toInbound(msg({ text: "/menu@Seller_Test_Bot" }), me)).content).toEqual({ kind: "text", text: "/menu" });
    expect(delivered(toInbound(msg({ text: "/start p_skt01" }), me)).content).toEqual({ kind: "text", text: "/start p_skt01" });
    expect(delivered(toInbound(msg({ text: "/start@seller_test_bot e_12" }), me)).content).toEqual({ kind: "text", text: "/start e_12" });
  });

  it("maps locations and venues", () => {
    expect(delivered(toInbound(msg({ location: { latitude: 32.49, longitude: 74.53 } }), me)).content).toEqual({ kind: "location", latitude: 32.49, longitude: 74.53 });
    const venue = { location: { latitude: 31.5, longitude: 74.3 }, title: "Expo Centre", address: "Johar Town, Lahore" };
    expect(delivered(toInbound(msg({ venue, location: venue.location }), me)).content).toEqual({ kind: "location", latitude: 31.5, longitude: 74.3, name: "Expo Centre", address: "Johar Town, Lahore" });
  });

  it("marks stickers, and photos and documents (even 10 MB) without a caption, unsupported without downloading", () => {
    const doc = { file_id: "BQAC", file_unique_id: "u1", file_name: "catalogue.pdf", mime_type: "application/pdf", file_size: 10 * 1024 * 1024 };
    expect(delivered(toInbound(msg({ document: doc }), me)).content).toEqual({ kind: "unsupported", what: "document" });
    expect(delivered(toInbound(msg({ sticker: { file_id: "s" } }), me)).content).toEqual({ kind: "unsupported", what: "sticker" });
    expect(delivered(toInbound(msg({ photo: [{ file_id: "p", width: 1, height: 1 }], caption: "  " }), me)).content).toEqual({ kind: "unsupported", what: "photo" });
  });
});

describe("toInbound: ignored updates", () => {
  it("ignores edited messages, channel posts, other bots and service messages", () => {
    expect(toInbound({ update_id: 1, edited_message: { message_id: 1, date: 1, edit_date: 2, chat: dm, from: alice, text: "edited" } } as unknown as Update, me).action).toBe("ignore");
    expect(toInbound({ update_id: 2, channel_post: { message_id: 1, date: 1, chat: { id: -1009, type: "channel", title: "News" }, text: "post" } } as unknown as Update, me).action).toBe("ignore");
    expect(toInbound(msg({ from: { id: 77, is_bot: true, first_name: "OtherBot" }, text: "/start" }), me).action).toBe("ignore");
    expect(toInbound(msg({ new_chat_members: [alice] }, group), me).action).toBe("ignore");
  });
});

describe("toInbound: groups", () => {
  it("marks commands and mentions of the bot as addressed, and strips the mention", () => {
    const command = delivered(toInbound(msg({ text: "/menu@seller_test_bot" }, group), me));
    expect(command).toMatchObject({ chat: { id: "-100555", kind: "group", title: "Sialkot Exporters" }, addressedToBot: true, content: { kind: "text", text: "/menu" } });
    const text = "@seller_test_bot what documents do I need?";
    const mention = delivered(toInbound(msg({ text, entities: [{ type: "mention", offset: 0, length: 16 }] }, group), me));
    expect(mention.addressedToBot).toBe(true);
    expect(mention.content).toEqual({ kind: "text", text: "what documents do I need?" });
  });

  it("keeps mentions in the middle readable and handles a command followed by a mention", () => {
    const text = "/ask@seller_test_bot hi @seller_test_bot there";
    const m = delivered(toInbound(msg({ text, entities: [{ type: "bot_command", offset: 0, length: 20 }, { type: "mention", offset: 24, length: 16 }] }, group), me));
    expect(m.content).toEqual({ kind: "text", text: "/ask hi there" });
  });

  it("does not address the bot for ordinary chatter or for another bot's command", () => {
    expect(delivered(toInbound(msg({ text: "see you at the summit" }, group), me)).addressedToBot).toBe(false);
    expect(toInbound(msg({ text: "/menu@other_bot" }, group), me).action).toBe("ignore");
  });

  it("treats a reply to the bot's message as addressed", () => {
    const reply_to_message = { message_id: 3, date: 1, chat: group, from: { id: 999, is_bot: true, first_name: "Seller Bot" }, text: "…" };
    expect(delivered(toInbound(msg({ text: "yes please", reply_to_message }, group), me)).addressedToBot).toBe(true);
  });
});

describe("toInbound: callbacks", () => {
  const press = (data: string | undefined, extra: Record<string, unknown> = {}) =>
    ({
      update_id: 50,
      callback_query: {
        id: "q1",
        from: alice,
        chat_instance: "c",
        data,
        message: { message_id: 9, date: 1, chat: dm, from: { id: 999, is_bot: true, first_name: "B" }, text: "Pick", reply_markup: { inline_keyboard: [[{ text: "اردو", callback_data: "lang:set:ur" }]] } },
        ...extra,
      },
    }) as unknown as Update;

  it("maps a valid press to a choice with its label and the query to answer", () => {
    const d = toInbound(press("lang:set:ur"), me);
    expect(d).toMatchObject({ action: "deliver", callbackQueryId: "q1", message: { messageId: "cb:q1", content: { kind: "choice", data: "lang:set:ur", label: "اردو" } } });
  });

  it("rejects forged data: wrong shape, too long, missing", () => {
    for (const data of ["<script>", "x".repeat(65), "ev:rsvp:" + "ü".repeat(29), "noseparator", undefined, "lang:set:\u0000"]) {
      const d = toInbound(press(data), me);
      expect(d, String(data)).toMatchObject({ action: "reject-callback", callbackQueryId: "q1", languageHint: "ur" });
    }
  });
});

describe("toInbound: my_chat_member", () => {
  const change = (chat: Record<string, unknown>, from: string, to: string) =>
    ({
      update_id: 60,
      my_chat_member: { chat, from: alice, date: 1_700_000_100, old_chat_member: { status: from, user: { id: 999 } }, new_chat_member: { status: to, user: { id: 999 } } },
    }) as unknown as Update;

  it("reports the bot added to and removed from a group", () => {
    expect(delivered(toInbound(change(group, "left", "member"), me))).toMatchObject({ chat: { kind: "group", id: "-100555" }, content: { kind: "event", event: "added-to-group" } });
    expect(delivered(toInbound(change(group, "administrator", "kicked"), me)).content).toEqual({ kind: "event", event: "removed-from-group" });
  });

  it("reports a user blocking and unblocking the bot", () => {
    expect(delivered(toInbound(change(dm, "member", "kicked"), me))).toMatchObject({ chat: { kind: "private" }, sender: { id: "1001" }, content: { kind: "event", event: "blocked" } });
    expect(delivered(toInbound(change(dm, "kicked", "member"), me)).content).toEqual({ kind: "event", event: "unblocked" });
  });

  it("ignores promotions and channels", () => {
    expect(toInbound(change(group, "member", "administrator"), me).action).toBe("ignore");
    expect(toInbound(change({ id: -1009, type: "channel", title: "N" }, "left", "administrator"), me).action).toBe("ignore");
  });
});
