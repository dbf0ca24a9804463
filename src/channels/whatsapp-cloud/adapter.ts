/**
 * The WhatsApp Cloud API adapter: Meta's official API, for announcements at volume with
 * delivery receipts and approved templates (docs/whatsapp-cloud.md). Inbound comes by
 * webhook on the process's HTTP server (`/webhooks/whatsapp`), signed with the app secret;
 * outbound is `POST {root}/{phone-number-id}/messages` with plain `fetch`, answers checked
 * with zod (docs/decisions/0705-*). The adapter translates only: when a user last wrote and
 * where receipts go are functions its wiring (index.ts) passes in.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { ChannelError, isChannelError } from "../../core/errors.ts";
import type { Adapter, ChannelCapabilities, InboundHandler, OutboundMessage, SentMessage } from "../../core/types.ts";
import { readBody, type HttpServer } from "../../http/server.ts";
import type { I18n } from "../../i18n/index.ts";
import { toChannelError } from "./errors.ts";
import { readWebhook, type DeliveryStatus } from "./inbound.ts";
import { templatePayload, toPayloads, withRecipient, type CloudPayload } from "./outbound.ts";
import { sameToken, verifySignature } from "./signature.ts";
import type { Templates } from "./templates.ts";
import { sendResponseSchema, webhookSchema } from "./wire.ts";

/** The webhook path (a contract: shared/design.md). */
export const WEBHOOK_PATH = "/webhooks/whatsapp";
/** The 24-hour customer-service window. */
export const WINDOW_MS = 24 * 3600_000;
/** The reason a row outside the window without a template is skipped with (counted in the report). */
export const NO_TEMPLATE_REASON = "outside the 24-hour window, no template";
/** A webhook post is answered within this long: 200 once stored, else 503 (Meta posts it again). */
const WEBHOOK_ANSWER_MS = 8000;
/** One Graph API request may take this long. */
const REQUEST_TIMEOUT_MS = 15_000;

const CAPABILITIES: ChannelCapabilities = {
  buttons: true,
  location: true,
  // Documents need an upload to /media first; exports go out on the other channels.
  files: false,
  groups: false,
  media: true,
  maxTextLength: 4096,
  choiceLimit: { count: 10, labelLength: 24 },
};

/** Options of {@link createWhatsAppCloudAdapter}. */
export interface WhatsAppCloudAdapterOptions {
  token: string;
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  /** e.g. https://graph.facebook.com/v23.0 (a fake in tests). */
  apiRoot: string;
  http: HttpServer;
  log: Logger;
  i18n: I18n;
  templates: Templates;
  /** When `waId` last wrote, if known (the 24-hour window). */
  lastInbound(waId: string): Promise<Date | undefined>;
  /** Records that these users wrote at `at` (before their messages are acknowledged). */
  touched(waIds: string[], at: Date): Promise<void>;
  /** Receipts of sent messages; awaited before the webhook is answered. */
  onStatuses(statuses: DeliveryStatus[]): Promise<void>;
  /** Called once when the token is refused (code 190): the channel stops sending. */
  onTokenRefused(error: ChannelError): void;
  now?: () => Date;
}

/** The adapter, plus what its tests look at. */
export interface WhatsAppCloudAdapter extends Adapter {
  /** Webhook requests being handled now. */
  inFlight(): number;
  /** True once the token was refused: every send fails at once until a restart. */
  readonly refused: boolean;
}

/** Creates the adapter and mounts its webhook route on `options.http`. */
export function createWhatsAppCloudAdapter(options: WhatsAppCloudAdapterOptions): WhatsAppCloudAdapter {
  const { log, i18n } = options;
  const now = options.now ?? (() => new Date());
  const url = `${options.apiRoot.replace(/\/+$/, "")}/${options.phoneNumberId}/messages`;
  const inFlight = new Set<Promise<unknown>>();
  let handler: InboundHandler | undefined;
  let accepting = false;
  let refusal: ChannelError | undefined;

  options.http.route(async (req, res) => {
    const requestUrl = new URL(req.url ?? "/", "http://localhost");
    if (requestUrl.pathname !== WEBHOOK_PATH) return false;
    if (req.method === "GET") return handshake(requestUrl, res);
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, POST" }).end();
      return true;
    }
    const handling = receive(req);
    inFlight.add(handling);
    try {
      res.writeHead(await handling).end();
    } finally {
      inFlight.delete(handling);
    }
    return true;
  });

  /** Meta's verification: `hub.challenge` echoed when the verify token matches. */
  function handshake(requestUrl: URL, res: ServerResponse): true {
    const q = requestUrl.searchParams;
    if (q.get("hub.mode") === "subscribe" && sameToken(q.get("hub.verify_token"), options.verifyToken)) {
      res.writeHead(200, { "content-type": "text/plain" }).end(q.get("hub.challenge") ?? "");
    } else {
      res.writeHead(403).end();
    }
    return true;
  }

  /** A webhook post's status: 401 unsigned, 400 unreadable, 503 not stored (sent again), 200 stored. */
  async function receive(req: IncomingMessage): Promise<number> {
    const body = await readBody(req); // over 1 MB: 413
    if (!verifySignature(body, req.headers["x-hub-signature-256"], options.appSecret)) {
      log.warn("whatsapp-cloud webhook post with a missing or wrong signature refused");
      return 401;
    }
    if (!accepting || !handler) return 503;
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      return 400;
    }
    const payload = webhookSchema.safeParse(json);
    if (!payload.success) {
      // Signed by Meta but not a shape we read (another webhook field): nothing to store,
      // and a non-2xx answer would only make Meta post it again for days.
      log.warn({ issues: payload.error.issues.slice(0, 3) }, "whatsapp-cloud webhook post not understood; ignored");
      return 200;
    }
    const contents = readWebhook(payload.data, options.phoneNumberId);
    if (contents.skipped) log.warn({ skipped: contents.skipped }, "whatsapp-cloud webhook items not understood; ignored");
    const work = (async () => {
      const senders = [...new Set(contents.messages.map((m) => m.sender.id))];
      if (senders.length) await options.touched(senders, now());
      for (const message of contents.messages) await handler!(message);
      if (contents.statuses.length) await options.onStatuses(contents.statuses);
      return 200;
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(503), WEBHOOK_ANSWER_MS)));
    try {
      const status = await Promise.race([work, late]);
      if (status === 503) log.warn("whatsapp-cloud webhook post not stored in time; answered 503 so Meta posts it again");
      return status;
    } catch (error) {
      log.warn({ err: error }, "whatsapp-cloud webhook post could not be stored; answered 503 so Meta posts it again");
      return 503;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The requests for one message: free-form inside the window, the approved template outside it. */
  async function payloadsFor(to: string, message: OutboundMessage): Promise<CloudPayload[]> {
    const last = await options.lastInbound(to);
    const open = last !== undefined && now().getTime() - last.getTime() < WINDOW_MS;
    if (open) return toPayloads(message, (lang) => i18n.t(lang));
    const template = message.template ? options.templates[message.template.purpose] : undefined;
    if (!template || !message.template) throw new ChannelError("window-closed", NO_TEMPLATE_REASON);
    return [templatePayload(template, message.template.lang, message.template.parameters)];
  }

  async function post(body: Record<string, unknown>): Promise<string> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ChannelError("network", `WhatsApp Cloud API unreachable: ${(error as Error).message}`, undefined, { cause: error });
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw toChannelError(response.status, json, response.headers.get("retry-after"));
    const parsed = sendResponseSchema.safeParse(json);
    // A 200 without a message id: sent or not is unknown; "network" retries it (at worst twice received).
    if (!parsed.success) throw new ChannelError("network", "WhatsApp Cloud API answered 200 without a message id");
    return parsed.data.messages[0]!.id;
  }

  return {
    channel: "whatsapp-cloud",
    capabilities: CAPABILITIES,
    redelivers: true,
    inFlight: () => inFlight.size,
    get refused() {
      return refusal !== undefined;
    },
    async start(h) {
      handler = h;
      accepting = true;
      log.info({ path: WEBHOOK_PATH, phoneNumberId: options.phoneNumberId }, "whatsapp-cloud webhook ready");
    },
    async stop() {
      accepting = false;
      await Promise.allSettled([...inFlight]);
    },
    async send(chatId: string, message: OutboundMessage): Promise<SentMessage> {
      if (refusal) throw new ChannelError("unavailable", refusal.message);
      let id = "";
      for (const payload of await payloadsFor(chatId, message)) {
        try {
          id = await post(withRecipient(chatId, payload));
        } catch (error) {
          if (isChannelError(error) && error.kind === "unavailable" && !refusal) {
            refusal = error;
            log.error({ err: error }, "whatsapp-cloud token refused: the channel stops sending until the token is replaced and the bot restarted");
            options.onTokenRefused(error);
          }
          throw error;
        }
      }
      return { messageId: id };
    },
  };
}
