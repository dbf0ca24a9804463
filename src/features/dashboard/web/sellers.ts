/**
 * Sellers: the stuck list (no change for N days, a filter) and one seller's history.
 * Both are cards rather than wide tables, so they read on a 360 px phone.
 */
import { html } from "hono/html";
import type { StuckSeller } from "../../progress/queries.ts";
import type { ProgressState } from "../../progress/store.ts";
import type { Stages } from "../../progress/stages.ts";
import type { SellerContact } from "../queries.ts";
import { formatters, page, pkDay, pkMinute, type Html, type View } from "./layout.ts";
import { stageLabel } from "./overview.ts";

/** The stuck list's data. */
export interface StuckData {
  days: number;
  badDays: boolean;
  total: number;
  sellers: StuckSeller[];
  contacts: Map<number, SellerContact>;
  now: Date;
}

const langName = (v: View, code: string) => v.t(`dashboard:languages.${code === "ur" || code === "ur-Latn" ? code : "en"}`);

function contactLink(v: View, c: SellerContact | undefined): Html {
  if (!c?.chatLink) return html`<span class="muted">${v.t("dashboard:stuck.noLink", { channel: c?.channel ?? "–" })}</span>`;
  const label = v.t(c.channel === "whatsapp" ? "dashboard:stuck.whatsapp" : "dashboard:stuck.telegram");
  return html`<a class="chat" href="${c.chatLink}" target="_blank" rel="noopener noreferrer">${label}</a>`;
}

/** Renders the stuck list. */
export function stuckPage(v: View, stages: Stages, d: StuckData): Html {
  const f = formatters(v.lang);
  const filter = html`<form method="get" action="/dashboard/stuck" class="filter">
    <label for="days">${v.t("dashboard:stuck.filter")}</label>
    <input id="days" name="days" type="number" inputmode="numeric" min="1" max="365" value="${d.days}">
    <button type="submit">${v.t("dashboard:stuck.apply")}</button>
  </form>
  ${d.badDays ? html`<p class="warn">${v.t("dashboard:stuck.badDays")}</p>` : ""}`;
  const summary = html`<p id="stuck-total">${v.t("dashboard:stuck.total", { count: d.total, total: f.n(d.total), days: d.days })}${
    d.total > d.sellers.length ? ` ${v.t("dashboard:stuck.showing", { shown: f.n(d.sellers.length) })}` : ""
  }</p>`;
  const cards = html`<ul class="cards" id="stuck-list">
    ${d.sellers.map((s) => {
      const c = d.contacts.get(s.id);
      const days = Math.floor((d.now.getTime() - s.since.getTime()) / 86_400_000);
      return html`<li data-seller="${s.id}">
        <a class="name" href="/dashboard/sellers/${s.id}">${s.name ?? v.t("progress:unnamed")} <span class="muted">#${s.id}</span></a>
        <dl>
          <dt>${v.t("dashboard:stuck.lastStep")}</dt><dd>${stageLabel(v, stages, s.index)}</dd>
          <dt>${v.t("dashboard:stuck.days")}</dt><dd>${v.t("dashboard:days.value", { count: days, days: f.n(days) })} (${pkDay(s.since)})</dd>
          <dt>${v.t("dashboard:stuck.language")}</dt><dd>${langName(v, c?.language ?? "en")}</dd>
          <dt>${v.t("dashboard:stuck.city")}</dt><dd>${c?.city ?? "–"}</dd>
        </dl>
        ${contactLink(v, c)}
      </li>`;
    })}
  </ul>`;
  return page(v, { title: v.t("dashboard:stuck.title"), body: html`${filter}${summary}${d.sellers.length ? cards : ""}` });
}

/** One seller's page data. */
export interface SellerData {
  seller: { id: number; name: string | null; createdAt: Date };
  progress: ProgressState;
  history: Array<{ id: number; stageId: string; action: string; source: string; count: number | null; createdAt: Date }>;
  contact: SellerContact | undefined;
  partnerName: string | null;
}

/** Renders one seller's checklist with dates and their history of steps. */
export function sellerPage(v: View, stages: Stages, d: SellerData): Html {
  const name = d.seller.name ?? v.t("progress:unnamed");
  const facts = html`<dl class="facts">
    <dt>${v.t("dashboard:seller.joined")}</dt><dd>${pkDay(d.seller.createdAt)}</dd>
    <dt>${v.t("dashboard:stuck.language")}</dt><dd>${langName(v, d.contact?.language ?? "en")}</dd>
    <dt>${v.t("dashboard:stuck.city")}</dt><dd>${d.contact?.city ?? "–"}</dd>
    ${v.scope.kind === "admin" ? html`<dt>${v.t("dashboard:seller.partner")}</dt><dd>${d.partnerName ?? "–"}</dd>` : ""}
  </dl>
  <p>${contactLink(v, d.contact)}</p>`;
  const checklist = html`<section><h2>${v.t("dashboard:seller.checklist")}</h2>
    <table class="numbers" id="checklist"><thead><tr><th scope="col">${v.t("dashboard:funnel.stage")}</th><th scope="col">${v.t("dashboard:seller.reachedOn")}</th></tr></thead>
    <tbody>${stages.list.map((s) => {
      const at = d.progress.reached.get(s.id);
      return html`<tr data-stage="${s.id}"><th scope="row">${at ? "✅" : "⬜"} ${stages.label(s, v.lang)}</th><td>${at ? pkDay(at) : "–"}</td></tr>`;
    })}</tbody></table></section>`;
  const events = html`<section><h2>${v.t("dashboard:seller.history")}</h2>
    ${d.history.length === 0 ? html`<p>${v.t("dashboard:seller.noHistory")}</p>` : ""}
    <ol class="history" id="history">${d.history.map((e) => {
      const stage = stages.byId(e.stageId);
      const label = stage ? stages.label(stage, v.lang) : e.stageId;
      return html`<li><time datetime="${e.createdAt.toISOString()}">${pkMinute(e.createdAt)}</time> ${v.t(e.action === "undo" ? "dashboard:seller.undone" : "dashboard:seller.ticked", { stage: label })}${
        e.count ? ` (${v.t("dashboard:seller.products", { count: e.count })})` : ""
      } <span class="muted">${v.t(`dashboard:seller.source.${e.source === "partner" || e.source === "admin" ? e.source : "seller"}`)}</span></li>`;
    })}</ol></section>`;
  return page(v, { title: `${name} #${d.seller.id}`, body: html`${facts}${checklist}${events}` });
}
