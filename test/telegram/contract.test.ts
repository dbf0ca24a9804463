/** The shared adapter contract, passed by the Telegram adapter over real HTTP. */
import { adapterContract } from "../support/adapter-contract.ts";
import { createRig } from "./harness.ts";

adapterContract("telegram", async () => {
  const rig = await createRig();
  return {
    adapter: rig.adapter,
    chatIdFor: (userId) => userId,
    injectText: async (text, { userId }) => void rig.fake.pushText(text, { from: { id: Number(userId) } }),
    sentTexts: async (chatId) => rig.fake.textsTo(chatId),
    failNextSendAsBlocked: (chatId) => rig.fake.block(chatId),
    close: () => rig.close(),
  };
});
