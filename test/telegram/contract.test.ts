/** The shared adapter contract, passed by the Telegram adapter over real HTTP. */
import { adapterContract } from "../support/adapter-contract.ts";
import { createRig } from "./harness.ts";

adapterContract("telegram", async () => {
  const rig = await createRig();
  return {
    adapter: rig.adapter,
    // The user has pressed Start: the fake refuses chats it has never seen.
    chatIdFor: (userId) => {
      rig.fake.meet(userId);
      return userId;
    },
    injectText: async (text, { userId }) => void rig.fake.pushText(text, { from: { id: Number(userId) } }),
    sentTexts: async (chatId) => rig.fake.textsTo(chatId),
    failNextSendAsBlocked: (chatId) => rig.fake.block(chatId),
    sentButtons: async (chatId) => {
      const markup = rig.fake.callsTo("sendMessage", chatId).at(-1)?.params.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined;
      return (markup?.inline_keyboard ?? []).flat().map((b) => ({ data: b.callback_data, label: b.text }));
    },
    close: () => rig.close(),
  };
});
