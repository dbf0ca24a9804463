/**
 * Broadcasts: each with its state, recipients, delivery counts and RSVPs, and one
 * broadcast's delivery over time (a table the page script turns into a chart).
 */
import { html } from "hono/html";
import { contentSchema, parseStored } from "../../broadcasts/types.ts";
import type { BroadcastSummary, DeliveryBucket } from "../queries.ts";
import { formatters, page, pkDay, pkMinute, type Html, type View } from "./layout.ts";

/** The state shown: cancelled, paused, sending (rows left) or finished. */
export function broadcastState(b: Pick<BroadcastSummary, "status" | "delivery">): "cancelled" | "paused" | "sending" | "finished" {
  if (b.status === "cancelled") return "cancelled";
  if (b.status === "paused") return "paused";
  return b.delivery.queued > 0 ? "sending" : "finished";
}

function preview(v: View, b: BroadcastSummary): string {
  const content = parseStored(contentSchema, b.content);
  const text = content ? content.text[v.lang] || content.text.en : "";
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

function card(v: View, b: BroadcastSummary, link: boolean): Html {
  const f = formatters(v.lang);
  const d = b.delivery;
  const state = broadcastState(b);
  const title = html`#${b.id} · ${pkDay(b.createdAt)}`;
  return html`<li data-broadcast="${b.id}">
    ${link ? html`<a class="name" href="/dashboard/broadcasts/${b.id}">${title}</a>` : html`<span class="name">${title}</span>`}
    <span class="state state-${state}">${v.t(`dashboard:broadcasts.state.${state}`)}</span>
    <p class="preview">${preview(v, b)}</p>
    <dl class="counts">
      <dt>${v.t("dashboard:broadcasts.recipients")}</dt><dd data-k="recipients">${f.n(b.recipients)}</dd>
      <dt>${v.t("dashboard:broadcasts.sent")}</dt><dd data-k="sent">${f.n(d.sent)}</dd>
      <dt>${v.t("dashboard:broadcasts.failed")}</dt><dd data-k="failed">${f.n(d.failed)}</dd>
      <dt>${v.t("dashboard:broadcasts.blocked")}</dt><dd data-k="blocked">${f.n(d.blocked)}</dd>
      <dt>${v.t("dashboard:broadcasts.optedOut")}</dt><dd data-k="optedOut">${f.n(d.optedOut)}</dd>
      ${d.queued ? html`<dt>${v.t("dashboard:broadcasts.queued")}</dt><dd data-k="queued">${f.n(d.queued)}</dd>` : ""}
      ${d.delivered || d.read ? html`<dt>${v.t("dashboard:broadcasts.delivered")}</dt><dd data-k="delivered">${f.n(d.delivered)}</dd><dt>${v.t("dashboard:broadcasts.read")}</dt><dd data-k="read">${f.n(d.read)}</dd>` : ""}
      ${d.skipped ? html`<dt>${v.t("dashboard:broadcasts.skipped")}</dt><dd data-k="skipped">${f.n(d.skipped)}</dd>` : ""}
      ${d.limited ? html`<dt>${v.t("dashboard:broadcasts.limited")}</dt><dd data-k="limited">${f.n(d.limited)}</dd>` : ""}
    </dl>
    ${b.rsvp ? rsvpLine(v, b.rsvp) : ""}
  </li>`;
}

/** "Going 12 · Maybe 3 · Can't 1 · Waiting 0" */
export function rsvpLine(v: View, r: { going: number; maybe: number; no: number; waitlist: number }): Html {
  const f = formatters(v.lang);
  return html`<dl class="counts rsvp">
    <dt>${v.t("dashboard:rsvp.going")}</dt><dd data-k="going">${f.n(r.going)}</dd>
    <dt>${v.t("dashboard:rsvp.maybe")}</dt><dd data-k="maybe">${f.n(r.maybe)}</dd>
    <dt>${v.t("dashboard:rsvp.no")}</dt><dd data-k="no">${f.n(r.no)}</dd>
    <dt>${v.t("dashboard:rsvp.waitlist")}</dt><dd data-k="waitlist">${f.n(r.waitlist)}</dd>
  </dl>`;
}

/** The list of broadcasts. */
export function broadcastsPage(v: View, list: BroadcastSummary[]): Html {
  const body = list.length
    ? html`<ul class="cards" id="broadcasts">${list.map((b) => card(v, b, true))}</ul>`
    : html`<p>${v.t("dashboard:broadcasts.none")}</p>`;
  return page(v, { title: v.t("dashboard:broadcasts.title"), body });
}

/** One broadcast with its delivery over time. */
export function broadcastPage(v: View, b: BroadcastSummary, timeline: { sizeS: number; buckets: DeliveryBucket[] }): Html {
  const f = formatters(v.lang);
  let cumulative = 0;
  const table = timeline.buckets.length
    ? html`<table class="numbers" id="delivery" data-chart="bar" data-chart-title="${v.t("dashboard:broadcasts.sent")}">
        <thead><tr><th scope="col">${v.t("dashboard:delivery.time")}</th><th scope="col">${v.t("dashboard:broadcasts.sent")}</th><th scope="col">${v.t("dashboard:delivery.notDelivered")}</th><th scope="col">${v.t("dashboard:delivery.total")}</th></tr></thead>
        <tbody>${timeline.buckets.map((bk) => {
          cumulative += bk.sent;
          const label = timeline.sizeS >= 86_400 ? pkDay(bk.start) : pkMinute(bk.start);
          return html`<tr data-label="${label}" data-value="${bk.sent}"><th scope="row">${label}</th><td>${f.n(bk.sent)}</td><td>${f.n(bk.notDelivered)}</td><td>${f.n(cumulative)}</td></tr>`;
        })}</tbody>
      </table>`
    : html`<p>${v.t("dashboard:delivery.none")}</p>`;
  return page(v, {
    title: v.t("dashboard:broadcasts.one", { id: b.id }),
    charts: timeline.buckets.length > 0,
    body: html`<ul class="cards">${card(v, b, false)}</ul>
      <section><h2>${v.t("dashboard:delivery.title")}</h2><p class="note">${v.t("dashboard:delivery.note", { minutes: Math.round(timeline.sizeS / 60) })}</p>${table}</section>`,
  });
}
