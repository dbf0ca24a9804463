/**
 * Turns stored content into the message one recipient reads: their language (English when
 * a translation is missing) and, always, how to stop.
 */
import type { Translate } from "../../i18n/index.ts";
import type { Lang, OutboundMessage } from "../../core/types.ts";
import type { BroadcastContent } from "./types.ts";

/** Renders content for a private chat (footer: reply STOP) or a group (footer: /unlink). */
export function renderContent(content: BroadcastContent, lang: Lang, t: Translate, audience: "private" | "group"): OutboundMessage {
  const text = content.text[lang]?.trim() || content.text.en;
  const footer = t(audience === "group" ? "broadcasts:footer.group" : "broadcasts:footer.private");
  return {
    text: `${text}\n\n${footer}`,
    choices: content.choices?.map((c) => ({ data: c.data, label: c.label[lang]?.trim() || c.label.en })),
    ...(content.template
      ? { template: { purpose: content.template.purpose, lang, parameters: Object.fromEntries(Object.entries(content.template.parameters).map(([k, v]) => [k, v[lang]?.trim() || v.en])) } }
      : {}),
  };
}
