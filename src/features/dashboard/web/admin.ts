/**
 * Admins' pages: every partner's funnel side by side, sellers by city, and pending
 * partner requests with Approve / Reject (the partners feature's own decisions).
 */
import { html } from "hono/html";
import type { StageCount } from "../../progress/queries.ts";
import type { Stages } from "../../progress/stages.ts";
import type { pendingRequests } from "../queries.ts";
import { csrfField, formatters, page, pkDay, type Html, type View } from "./layout.ts";

/** Funnels side by side: one row per group, sellers at each stage or further. */
export function groupsPage(v: View, stages: Stages, by: "partner" | "city", groups: Array<{ group: string; counts: StageCount[] }>): Html {
  const f = formatters(v.lang);
  const reached = (counts: StageCount[], index: number) => counts.filter((c) => c.index >= index).reduce((s, c) => s + c.count, 0);
  const unnamed = v.t(by === "partner" ? "dashboard:groups.noPartner" : "dashboard:groups.noCity");
  const table = html`<div class="scroll" tabindex="0" role="region" aria-label="${v.t(`dashboard:groups.${by}`)}"><table class="numbers wide" id="groups">
    <thead><tr><th scope="col">${v.t(`dashboard:groups.${by}`)}</th><th scope="col">${v.t("dashboard:overview.sellers")}</th>${stages.list.map((s) => html`<th scope="col">${stages.label(s, v.lang)}</th>`)}</tr></thead>
    <tbody>${groups.map(
      (g) => html`<tr data-group="${g.group}"><th scope="row">${g.group || unnamed}</th><td>${f.n(reached(g.counts, -1))}</td>${stages.list.map((s) => html`<td>${f.n(reached(g.counts, s.index))}</td>`)}</tr>`,
    )}</tbody></table></div>`;
  return page(v, {
    title: v.t(by === "partner" ? "dashboard:groups.titlePartner" : "dashboard:groups.titleCity"),
    body: html`<p class="note">${v.t("dashboard:groups.note")}</p>${groups.length ? table : html`<p>${v.t("dashboard:groups.none")}</p>`}`,
  });
}

type Request = Awaited<ReturnType<typeof pendingRequests>>[number];

/** Pending partner requests with their decisions; `done` is the outcome of the last one. */
export function requestsPage(v: View, requests: Request[], done: { status: string; user: string; partner: string } | null): Html {
  const notice = done
    ? html`<p class="ok" role="status">${v.t(done.status === "approved" ? "dashboard:requests.approved" : done.status === "rejected" ? "dashboard:requests.rejected" : "dashboard:requests.gone", { user: done.user, partner: done.partner })}</p>`
    : "";
  const list = requests.length
    ? html`<ul class="cards" id="requests">${requests.map(
        (r) => html`<li data-request="${r.id}">
          <span class="name">${r.user.displayName ?? `#${r.user.id}`}</span>
          <p>${v.t("dashboard:requests.asks", { partner: r.partner.name, city: r.partner.city })}</p>
          <p class="muted">${r.user.identities.map((i) => i.channel).join(", ")} · ${pkDay(r.requestedAt)}</p>
          <div class="actions">
            <form method="post" action="/dashboard/requests/${r.id}/approve">${csrfField(v)}<button type="submit" class="primary">${v.t("dashboard:requests.approve")}</button></form>
            <form method="post" action="/dashboard/requests/${r.id}/reject">${csrfField(v)}<button type="submit">${v.t("dashboard:requests.reject")}</button></form>
          </div>
        </li>`,
      )}</ul>`
    : html`<p>${v.t("dashboard:requests.none")}</p>`;
  return page(v, { title: v.t("dashboard:requests.title"), body: html`${notice}${list}` });
}
