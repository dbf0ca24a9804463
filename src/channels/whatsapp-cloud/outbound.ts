/**
 * The core's {@link OutboundMessage} → the request bodies of `POST /{phone-number-id}/messages`,
 * in send order. Text is escaped as on the Baileys channel (the same markers are WhatsApp's);
 * choices become reply buttons (≤ 3, titles ≤ 20) or a list (≤ 10 rows, titles ≤ 24), and
 * the messenger numbers any more than that before they reach here (capabilities.choiceLimit).
 */
import type { Choice, Lang, MediaRef, OutboundMessage } from "../../core/types.ts";
import type { Translate } from "../../i18n/index.ts";
import { escapeWhatsApp } from "../whatsapp/outbound.ts";
import { templateLanguage, templateValues, type Template } from "./templates.ts";

/** Meta's limits for interactive messages. */
export const LIMITS = { buttons: 3, buttonTitle: 20, rows: 10, rowTitle: 24, interactiveBody: 1024, text: 4096, caption: 1024, listButton: 20 } as const;

/** One request body (without `messaging_product`/`to`, added by {@link withRecipient}). */
export type CloudPayload = Record<string, unknown> & { type: string };

/** Adds the fields every send carries. */
export function withRecipient(to: string, payload: CloudPayload): Record<string, unknown> {
  return { messaging_product: "whatsapp", recipient_type: "individual", to, ...payload };
}

/** The free-form messages (inside the 24-hour window) for one outbound message. */
export function toPayloads(message: OutboundMessage, t: (lang: Lang) => Translate): CloudPayload[] {
  const out: CloudPayload[] = [];
  const lang: Lang = /[\u0600-\u06FF]/.test(message.text) ? "ur" : "en";
  let text = message.text.trim() ? escapeWhatsApp(message.text) : "";
  if (message.media?.channel === "whatsapp-cloud") {
    const captioned = message.media.type !== "audio" && message.media.type !== "voice" && Array.from(text).length <= LIMITS.caption && !message.choices?.length;
    out.push(mediaPayload(message.media, captioned ? text : ""));
    if (captioned) text = "";
  }
  if (message.choices?.length) {
    // An interactive body holds 1024 characters: longer text goes first on its own.
    let body = text;
    if (!body || Array.from(body).length > LIMITS.interactiveBody) {
      if (body) out.push(textPayload(body));
      body = t(lang)("common:choices.pickBelow");
    }
    out.push(interactivePayload(body, message.choices, t(lang)("common:choices.listButton")));
    text = "";
  }
  if (text) out.push(textPayload(text));
  if (message.location) {
    const { latitude, longitude, name, address } = message.location;
    out.push({ type: "location", location: { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) } });
  }
  if (out.length === 0) out.push(textPayload(escapeWhatsApp(message.text) || " "));
  return out;
}

function textPayload(body: string): CloudPayload {
  return { type: "text", text: { body, preview_url: false } };
}

function mediaPayload(media: MediaRef, caption: string): CloudPayload {
  const type = media.type === "voice" ? "audio" : media.type;
  return { type, [type]: { id: media.ref, ...(caption ? { caption } : {}), ...(type === "document" && media.filename ? { filename: media.filename } : {}) } };
}

/** Reply buttons when they fit, else a single-section list (the messenger numbered anything bigger). */
export function interactivePayload(body: string, choices: Choice[], listButton: string): CloudPayload {
  const fitsButtons = choices.length <= LIMITS.buttons && choices.every((c) => Array.from(c.label).length <= LIMITS.buttonTitle);
  if (fitsButtons) {
    return {
      type: "interactive",
      interactive: { type: "button", body: { text: body }, action: { buttons: choices.map((c) => ({ type: "reply", reply: { id: c.data, title: c.label } })) } },
    };
  }
  return {
    type: "interactive",
    interactive: {
      type: "list",
      body: { text: body },
      action: { button: cut(listButton, LIMITS.listButton), sections: [{ rows: choices.slice(0, LIMITS.rows).map((c) => ({ id: c.data, title: cut(c.label, LIMITS.rowTitle) })) }] },
    },
  };
}

/** An approved template with its body parameters. */
export function templatePayload(template: Template, lang: Lang, parameters: Record<string, string>): CloudPayload {
  const values = templateValues(template, parameters);
  return {
    type: "template",
    template: {
      name: template.name,
      language: { code: templateLanguage(template, lang) },
      ...(values.length ? { components: [{ type: "body", parameters: values.map((text) => ({ type: "text", text })) }] } : {}),
    },
  };
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}
