/** The WhatsApp Cloud API adapter passes the contract every adapter passes, against the fake Graph API. */
import pino from "pino";
import { createWhatsAppCloudAdapter } from "../../src/channels/whatsapp-cloud/index.ts";
import { unescapeWhatsApp } from "../../src/channels/whatsapp/outbound.ts";
import type { Choice } from "../../src/core/types.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/index.ts";
import { adapterContract } from "../support/adapter-contract.ts";
import { graphFailures, messagesPayload, postSigned, startFakeGraphApi, type GraphRequest } from "../support/fake-graph-api.ts";
import { APP_SECRET, PHONE_ID, TOKEN, VERIFY_TOKEN } from "./harness.ts";

const i18n = createI18n();

function textOf(r: GraphRequest): string | undefined {
  const b = r.body as { type: string; text?: { body: string }; interactive?: { body: { text: string } } };
  return b.type === "text" ? b.text?.body : b.type === "interactive" ? b.interactive?.body.text : undefined;
}

adapterContract("whatsapp-cloud", async () => {
  // The window is the wiring's business (tested with the app); here every user wrote just now.
  const fake = await startFakeGraphApi({ token: TOKEN, phoneNumberId: PHONE_ID, enforceWindow: false });
  const http = createHttpServer(async () => ({ ok: true }));
  const port = await http.listen(0);
  const url = `http://127.0.0.1:${port}/webhooks/whatsapp`;
  const adapter = createWhatsAppCloudAdapter({
    token: TOKEN,
    phoneNumberId: PHONE_ID,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    apiRoot: fake.root,
    http,
    log: pino({ level: "silent" }),
    i18n,
    templates: {},
    lastInbound: async () => new Date(),
    touched: async () => undefined,
    onStatuses: async () => undefined,
    onTokenRefused: () => undefined,
  });
  const chatIdFor = (userId: string) => `9230000${userId.padStart(5, "0")}`;
  return {
    adapter,
    chatIdFor,
    async injectText(text, from) {
      const status = await postSigned(url, JSON.stringify(messagesPayload(PHONE_ID, chatIdFor(from.userId), { type: "text", text: { body: text } })), APP_SECRET);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    },
    sentTexts: async (chatId) => fake.to(chatId).filter((r) => r.ok).flatMap((r) => (textOf(r) !== undefined ? [unescapeWhatsApp(textOf(r)!)] : [])),
    async sentButtons(chatId): Promise<Choice[]> {
      return fake
        .to(chatId)
        .filter((r) => r.ok && r.type === "interactive")
        .flatMap((r) => {
          const i = (r.body as { interactive: { type: string; action: { buttons?: Array<{ reply: { id: string; title: string } }>; sections?: Array<{ rows: Array<{ id: string; title: string }> }> } } }).interactive;
          return i.type === "button" ? i.action.buttons!.map((b) => ({ data: b.reply.id, label: b.reply.title })) : i.action.sections!.flatMap((s) => s.rows.map((row) => ({ data: row.id, label: row.title })));
        });
    },
    failNextSendAsBlocked: (chatId) => fake.failNext(chatId, graphFailures.undeliverable()),
    refusesAfterStop: /503/,
    async close() {
      await http.close();
      await fake.close();
    },
  };
});
