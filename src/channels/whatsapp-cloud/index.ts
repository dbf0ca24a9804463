/**
 * The WhatsApp Cloud API channel's wiring: `seller-bot start` calls
 * {@link createWhatsAppCloudChannel} when WHATSAPP_CLOUD_TOKEN and
 * WHATSAPP_CLOUD_PHONE_NUMBER_ID are set (docs/whatsapp-cloud.md). The adapter translates;
 * this file gives it the database-backed parts: the 24-hour window (who wrote when),
 * receipts onto outbox rows, and the one notice to admins when the token is refused.
 */
import type { AppDeps } from "../../core/context.ts";
import type { ChannelError } from "../../core/errors.ts";
import type { Lang } from "../../core/types.ts";
import { applyReceipts } from "../../features/broadcasts/api.ts";
import type { HttpServer } from "../../http/server.ts";
import { createWhatsAppCloudAdapter, type WhatsAppCloudAdapter } from "./adapter.ts";
import type { DeliveryStatus } from "./inbound.ts";
import { loadTemplates, type Templates } from "./templates.ts";

export { createWhatsAppCloudAdapter, NO_TEMPLATE_REASON, WEBHOOK_PATH, WINDOW_MS, type WhatsAppCloudAdapter, type WhatsAppCloudAdapterOptions } from "./adapter.ts";
export { toChannelError } from "./errors.ts";
export { readWebhook, toInbound, type DeliveryStatus } from "./inbound.ts";
export { signBody, verifySignature } from "./signature.ts";
export { loadTemplates, templatesPath, templatesSchema, type Templates } from "./templates.ts";

/** A receipt that matched no row yet (the send's id not yet recorded) is tried again after this long, this many times. */
const RECEIPT_RETRY_MS = 2000;
const RECEIPT_RETRIES = 3;

/** Creates the adapter from `config.whatsappCloud`, its webhook mounted on `http`. */
export function createWhatsAppCloudChannel(deps: AppDeps, http: HttpServer, options: { templates?: Templates } = {}): WhatsAppCloudAdapter {
  const cloud = deps.config.whatsappCloud;
  if (!cloud) throw new Error("WHATSAPP_CLOUD_TOKEN and WHATSAPP_CLOUD_PHONE_NUMBER_ID are not set");
  const log = deps.log.child({ channel: "whatsapp-cloud" });
  // A bad file stops the start with its path and field, like every content file.
  const templates = options.templates ?? loadTemplates(deps.config.contentDir);
  const { db } = deps;
  const retrying = new Set<NodeJS.Timeout>();

  const receipts = async (statuses: DeliveryStatus[], round = 0): Promise<void> => {
    const unmatched = await applyReceipts(db, "whatsapp-cloud", statuses);
    if (unmatched.length === 0 || round >= RECEIPT_RETRIES) return;
    // Meta can post "sent" before the worker has written the id it got back: try those again shortly.
    const again = statuses.filter((s) => unmatched.includes(s.messageId));
    const timer = setTimeout(() => {
      retrying.delete(timer);
      receipts(again, round + 1).catch((err: unknown) => log.warn({ err }, "whatsapp-cloud receipts could not be recorded"));
    }, RECEIPT_RETRY_MS);
    timer.unref();
    retrying.add(timer);
  };

  const adapter = createWhatsAppCloudAdapter({
    ...cloud,
    http,
    log,
    i18n: deps.i18n,
    templates,
    now: deps.now,
    async lastInbound(waId) {
      const row = await db.whatsAppCloudWindow.findUnique({ where: { waId } });
      return row?.lastInboundAt;
    },
    async touched(waIds, at) {
      for (const waId of waIds) await db.whatsAppCloudWindow.upsert({ where: { waId }, create: { waId, lastInboundAt: at }, update: { lastInboundAt: at } });
    },
    onStatuses: (statuses) => receipts(statuses),
    onTokenRefused(error) {
      deps.messenger.unregister("whatsapp-cloud");
      void tellAdmins(deps, error).catch((err: unknown) => log.warn({ err }, "could not tell the admins that the WhatsApp Cloud API token was refused"));
    },
  });
  const stop = adapter.stop.bind(adapter);
  return Object.assign(adapter, {
    async stop() {
      for (const timer of retrying) clearTimeout(timer);
      await stop();
    },
  });
}

/** Tells every admin reachable on another running channel, once, in their language. */
async function tellAdmins(deps: AppDeps, error: ChannelError): Promise<void> {
  deps.log.error({ err: error }, "WhatsApp Cloud API token refused (code 190): the channel is stopped");
  for (const admin of deps.config.admins) {
    if (admin.channel === "whatsapp-cloud") continue;
    const channel = admin.channel as Parameters<typeof deps.messenger.capabilities>[0];
    if (!deps.messenger.capabilities(channel)) continue;
    const identity = await deps.db.channelIdentity.findUnique({ where: { channel_externalId: { channel, externalId: admin.externalId } }, select: { user: { select: { language: true } } } });
    const lang = (["en", "ur", "ur-Latn"].includes(identity?.user.language ?? "") ? identity!.user.language : "en") as Lang;
    await deps.messenger
      .send({ channel, chatId: admin.externalId, lang }, { text: deps.i18n.t(lang)("whatsapp-cloud:tokenRefused") })
      .catch((err: unknown) => deps.log.warn({ err, channel }, "could not tell an admin that the WhatsApp Cloud API token was refused"));
  }
}
