/**
 * A local HTTP server that behaves like the WhatsApp Cloud API's part of the Graph API,
 * for tests and benchmarks (point WHATSAPP_CLOUD_API_ROOT at `fake.root`). It:
 * - answers `POST /{version}/{phone-number-id}/messages` as Meta does: `{"messaging_product":
 *   "whatsapp","contacts":[{"input","wa_id"}],"messages":[{"id":"wamid…"}]}`;
 * - checks what Meta checks: the bearer token (401, code 190 "Error validating access
 *   token"), the phone number id, `messaging_product`, the message types' required fields,
 *   interactive limits (≤ 3 buttons of ≤ 20 characters, ≤ 10 rows of ≤ 24, body ≤ 1024),
 *   text ≤ 4096, template names it was told are approved (132001 otherwise), and the
 *   24-hour window: free-form messages to a user who has not written (`wrote`) in the last
 *   24 hours are refused with 131047 (Meta's "Re-engagement message");
 * - fails on request (`failNext`) with Graph error bodies from Meta's error-code reference;
 * - records every request (`requests`), and can post delivery statuses back to a webhook,
 *   signed with the app secret (`sendStatuses`), like Meta.
 */
import { once } from "node:events";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signBody } from "../../src/channels/whatsapp-cloud/signature.ts";

/** A Graph API error reply, or a dropped socket (a network fault). */
export type GraphFailure = { status: number; code: number; message: string; details?: string; type?: string; retryAfter?: number } | { drop: true };

/** Meta's errors, with their documented codes and titles. */
export const graphFailures = {
  throughput: (): GraphFailure => ({ status: 400, code: 130429, message: "(#130429) Rate limit hit", details: "Cloud API message throughput has been reached." }),
  pairRate: (): GraphFailure => ({ status: 400, code: 131056, message: "(#131056) (Business Account, Consumer Account) pair rate limit hit", details: "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time." }),
  marketingLimit: (): GraphFailure => ({ status: 400, code: 131049, message: "(#131049) This message was not delivered to maintain healthy ecosystem engagement.", details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered." }),
  undeliverable: (): GraphFailure => ({ status: 400, code: 131026, message: "(#131026) Message undeliverable", details: "Unable to deliver message." }),
  outsideWindow: (): GraphFailure => ({ status: 400, code: 131047, message: "(#131047) Re-engagement message", details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." }),
  tokenExpired: (): GraphFailure => ({ status: 401, code: 190, type: "OAuthException", message: "Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST." }),
  serverError: (): GraphFailure => ({ status: 500, code: 131000, message: "(#131000) Something went wrong", details: "Message failed to send due to an unknown error." }),
  badGateway: (): GraphFailure => ({ status: 502, code: 2, message: "Service temporarily unavailable" }),
  network: (): GraphFailure => ({ drop: true }),
};

/** One request the fake received. */
export interface GraphRequest {
  seq: number;
  /** ms since the fake started. */
  at: number;
  to: string;
  type: string;
  body: Record<string, unknown>;
  ok: boolean;
  errorCode?: number;
  /** The wamid returned. */
  messageId?: string;
}

/** Options; everything has a default. */
export interface FakeGraphOptions {
  token?: string;
  phoneNumberId?: string;
  version?: string;
  /** Approved template names (others: 132001). */
  templates?: string[];
  /** Enforce the 24-hour window for free-form messages (default true). */
  enforceWindow?: boolean;
  /** Delay before each answer. */
  latencyMs?: number;
  /** Where `sendStatuses` posts, and the app secret it signs with. */
  webhook?: { url: string; appSecret: string };
  /** Post a "sent" then "delivered" status for every accepted message (default false). */
  autoStatuses?: boolean;
}

/** The running fake. */
export interface FakeGraphApi {
  /** `http://127.0.0.1:PORT/v23.0`: the WHATSAPP_CLOUD_API_ROOT. */
  readonly root: string;
  readonly requests: GraphRequest[];
  /** Marks that `waId` wrote to the business at `at` (opens their 24-hour window). */
  wrote(waId: string, at?: Date): void;
  /** The next send to `to` (or any, with "*") fails like this. */
  failNext(to: string, failure: GraphFailure): void;
  /** Requests to one recipient. */
  to(waId: string): GraphRequest[];
  /** Posts statuses for sent messages to the webhook, signed like Meta. Resolves with the HTTP status. */
  sendStatuses(statuses: Array<{ id: string; status: "sent" | "delivered" | "read" | "failed"; recipient: string; errorCode?: number; timestamp?: number }>): Promise<number>;
  setWebhook(webhook: { url: string; appSecret: string }): void;
  close(): Promise<void>;
}

const LIMITS = { text: 4096, buttons: 3, buttonTitle: 20, rows: 10, rowTitle: 24, body: 1024 };

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startFakeGraphApi(options: FakeGraphOptions = {}): Promise<FakeGraphApi> {
  const token = options.token ?? "test-cloud-token";
  const phoneNumberId = options.phoneNumberId ?? "106540352242922";
  const version = options.version ?? "v23.0";
  const templates = new Set(options.templates ?? ["summit_invite", "event_reminder", "listing_nudge"]);
  const enforceWindow = options.enforceWindow ?? true;
  const windows = new Map<string, number>();
  const failures = new Map<string, GraphFailure[]>();
  const requests: GraphRequest[] = [];
  const started = Date.now();
  let webhook = options.webhook;
  let seq = 0;

  const server: Server = createServer((req, res) => {
    void handle(req).then(
      (answer) => {
        if (answer === "drop") return void req.socket.destroy();
        const send = () => res.writeHead(answer.status, { "content-type": "application/json", ...(answer.headers ?? {}) }).end(JSON.stringify(answer.body));
        if (options.latencyMs) setTimeout(send, options.latencyMs);
        else send();
      },
      () => res.writeHead(500).end(),
    );
  });
  server.keepAliveTimeout = 30_000;

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return undefined;
    }
  }

  function graphError(status: number, code: number, message: string, details?: string, type = "OAuthException", headers?: Record<string, string>) {
    return {
      status,
      headers,
      body: { error: { message, type, code, ...(details ? { error_data: { messaging_product: "whatsapp", details } } : {}), fbtrace_id: `A${Math.random().toString(36).slice(2, 12)}` } },
    };
  }

  async function handle(req: IncomingMessage): Promise<"drop" | { status: number; body: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (req.headers.authorization !== `Bearer ${token}`) return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    if (req.method !== "POST" || url.pathname !== `/${version}/${phoneNumberId}/messages`) {
      return graphError(400, 100, `Unsupported post request. Object with ID '${url.pathname.split("/")[2] ?? ""}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, undefined, "GraphMethodException");
    }
    const to = typeof body?.to === "string" ? body.to : "";
    const type = typeof body?.type === "string" ? body.type : "text";
    const record: GraphRequest = { seq: ++seq, at: Date.now() - started, to, type, body: body ?? {}, ok: false };
    requests.push(record);
    const fail = (failures.get(to) ?? failures.get("*"))?.shift();
    if (fail) {
      if ("drop" in fail) return "drop";
      record.errorCode = fail.code;
      return graphError(fail.status, fail.code, fail.message, fail.details, fail.type, fail.retryAfter ? { "retry-after": String(fail.retryAfter) } : undefined);
    }
    const invalid = check(body);
    if (invalid) {
      record.errorCode = invalid.code;
      return graphError(400, invalid.code, invalid.message, invalid.details);
    }
    if (type !== "template" && enforceWindow && !(Date.now() - (windows.get(to) ?? -Infinity) < 24 * 3600_000)) {
      const f = graphFailures.outsideWindow() as { status: number; code: number; message: string; details: string };
      record.errorCode = f.code;
      return graphError(f.status, f.code, f.message, f.details);
    }
    record.ok = true;
    record.messageId = `wamid.HBgM${to}${String(seq).padStart(8, "0")}FQIAERgS`;
    if (options.autoStatuses && webhook) {
      const id = record.messageId;
      setTimeout(() => void api.sendStatuses([{ id, status: "sent", recipient: to }, { id, status: "delivered", recipient: to }]).catch(() => undefined), 5);
    }
    return { status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: record.messageId, ...(type === "template" ? { message_status: "accepted" } : {}) }] } };
  }

  /** Meta's request validation, in its own codes (100 invalid parameter, 132001 template missing). */
  function check(body: Record<string, unknown> | undefined): { code: number; message: string; details?: string } | undefined {
    const bad = (details: string) => ({ code: 100, message: "(#100) Invalid parameter", details });
    if (!body || body.messaging_product !== "whatsapp") return bad("The parameter messaging_product is required.");
    if (typeof body.to !== "string" || !/^\d{6,15}$/.test(body.to)) return bad("Invalid parameter: to");
    const type = body.type;
    const part = body[type as string] as Record<string, unknown> | undefined;
    if (!part) return bad(`The parameter ${String(type)} is required.`);
    switch (type) {
      case "text": {
        const text = part.body;
        if (typeof text !== "string" || text.length === 0) return bad("The parameter text['body'] is required.");
        if (Array.from(text).length > LIMITS.text) return bad("Param text['body'] must be at most 4096 characters long.");
        return undefined;
      }
      case "interactive": {
        const i = part as { type?: string; body?: { text?: string }; action?: { buttons?: Array<{ reply?: { id?: string; title?: string } }>; button?: string; sections?: Array<{ rows?: Array<{ id?: string; title?: string }> }> } };
        if (!i.body?.text || Array.from(i.body.text).length > LIMITS.body) return bad("Param interactive['body']['text'] must be between 1 and 1024 characters long.");
        if (i.type === "button") {
          const buttons = i.action?.buttons ?? [];
          if (buttons.length < 1 || buttons.length > LIMITS.buttons) return bad("Param interactive['action']['buttons'] must contain at least 1 and at most 3 elements.");
          if (buttons.some((b) => !b.reply?.id || !b.reply.title || Array.from(b.reply.title).length > LIMITS.buttonTitle)) return bad("Button title length invalid. Min length: 1, Max length: 20");
          return undefined;
        }
        if (i.type === "list") {
          const rows = (i.action?.sections ?? []).flatMap((s) => s.rows ?? []);
          if (!i.action?.button || Array.from(i.action.button).length > 20) return bad("Param interactive['action']['button'] must be between 1 and 20 characters long.");
          if (rows.length < 1 || rows.length > LIMITS.rows) return bad("Total row count exceed max allowed count: 10");
          if (rows.some((r) => !r.id || !r.title || Array.from(r.title).length > LIMITS.rowTitle)) return bad("Row title length invalid. Max length: 24");
          return undefined;
        }
        return bad("Invalid interactive type");
      }
      case "location":
        return typeof part.latitude === "number" && typeof part.longitude === "number" ? undefined : bad("The parameters latitude and longitude are required.");
      case "template": {
        const t = part as { name?: string; language?: { code?: string } };
        if (!t.language?.code) return bad("The parameter template['language']['code'] is required.");
        if (!t.name || !templates.has(t.name)) return { code: 132001, message: "(#132001) Template name does not exist in the translation", details: `template name (${t.name}) does not exist in ${t.language.code}` };
        return undefined;
      }
      case "image":
      case "audio":
      case "video":
      case "document":
        return typeof part.id === "string" || typeof part.link === "string" ? undefined : bad(`The parameter ${type}['id'] is required.`);
      default:
        return bad(`Unsupported message type: ${String(type)}`);
    }
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;

  const api: FakeGraphApi = {
    root: `http://127.0.0.1:${port}/${version}`,
    requests,
    wrote: (waId, at = new Date()) => void windows.set(waId, at.getTime()),
    failNext(to, failure) {
      const list = failures.get(to) ?? [];
      list.push(failure);
      failures.set(to, list);
    },
    to: (waId) => requests.filter((r) => r.to === waId),
    setWebhook: (w) => void (webhook = w),
    sendStatuses(statuses) {
      if (!webhook) throw new Error("no webhook set");
      const payload = statusesPayload(phoneNumberId, statuses);
      return postSigned(webhook.url, JSON.stringify(payload), webhook.appSecret);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}

/** A `statuses` webhook body in Meta's shape. */
export function statusesPayload(phoneNumberId: string, statuses: Array<{ id: string; status: string; recipient: string; errorCode?: number; timestamp?: number }>) {
  return webhookBody(phoneNumberId, {
    statuses: statuses.map((s) => ({
      id: s.id,
      status: s.status,
      timestamp: String(s.timestamp ?? Math.floor(Date.now() / 1000)),
      recipient_id: s.recipient,
      ...(s.status === "failed"
        ? { errors: [{ code: s.errorCode ?? 131026, title: s.errorCode === 131049 ? "This message was not delivered to maintain healthy ecosystem engagement." : "Message undeliverable", error_data: { details: "Message failed" } }] }
        : { conversation: { id: "CONVERSATION_ID", origin: { type: "marketing" } }, pricing: { billable: true, pricing_model: "PMP", category: "marketing" } }),
    })),
  });
}

/** A `messages` webhook body in Meta's shape: one message from `from`, with its profile name. */
export function messagesPayload(phoneNumberId: string, from: string, message: Record<string, unknown>, name = "Ayesha Khan") {
  return webhookBody(phoneNumberId, {
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id: `wamid.in${Math.random().toString(36).slice(2, 14)}`, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
  });
}

/** The envelope Meta wraps every webhook change in: one entry, one "messages" change of `value`. */
function webhookBody(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId }, ...value },
          },
        ],
      },
    ],
  };
}

/** Posts `body` to `url` with Meta's signature header (or `signature` as given; null: none). Resolves with the status. */
export function postSigned(url: string, body: string, appSecret: string, signature?: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
    const sig = signature === undefined ? signBody(body, appSecret) : signature;
    if (sig !== null) headers["x-hub-signature-256"] = sig;
    const req = request(url, { method: "POST", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}
