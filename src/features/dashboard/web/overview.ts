/**
 * The overview page: headline numbers, the funnel, new sellers per week and median days
 * to each stage. Tables carry the numbers (`data-label`/`data-value` on each row); the
 * page script draws charts from them where scripts run.
 */
import { html } from "hono/html";
import type { Stages } from "../../progress/stages.ts";
import type { Overview } from "../overview.ts";
import { formatters, page, pkDay, pkMinute, type Html, type View } from "./layout.ts";

/** A stage's label in the page language ("Not started" for -1). */
export function stageLabel(v: View, stages: Stages, index: number): string {
  const stage = stages.list[index];
  return stage ? stages.label(stage, v.lang) : v.t("progress:summary.none");
}

/** Renders the overview. */
export function overviewPage(v: View, stages: Stages, o: Overview): Html {
  const f = formatters(v.lang);
  const tiles = html`<ul class="tiles">
    <li><span class="big">${f.n(o.sellers)}</span> ${v.t("dashboard:overview.sellers")}</li>
    <li><a href="/dashboard/stuck?days=${o.stuckDays}"><span class="big">${f.n(o.stuck)}</span> ${v.t("dashboard:overview.stuck", { days: o.stuckDays })}</a></li>
    ${o.pendingRequests !== null ? html`<li><a href="/dashboard/requests"><span class="big">${f.n(o.pendingRequests)}</span> ${v.t("dashboard:overview.requests")}</a></li>` : ""}
  </ul>`;
  const funnel = html`<section aria-labelledby="funnel-h">
    <h2 id="funnel-h">${v.t("dashboard:funnel.title")}</h2>
    <p class="note">${v.t("dashboard:funnel.note")}</p>
    <table class="numbers" id="funnel" data-chart="hbar" data-chart-title="${v.t("dashboard:funnel.reached")}">
      <thead><tr><th scope="col">${v.t("dashboard:funnel.stage")}</th><th scope="col">${v.t("dashboard:funnel.at")}</th><th scope="col">${v.t("dashboard:funnel.reached")}</th><th scope="col">${v.t("dashboard:funnel.conversion")}</th></tr></thead>
      <tbody>
        ${o.funnel.map(
          (r) => html`<tr data-stage="${r.stageId ?? "none"}"${r.index >= 0 ? html` data-label="${stageLabel(v, stages, r.index)}" data-value="${r.reached}"` : ""}>
            <th scope="row">${stageLabel(v, stages, r.index)}</th><td data-count="${r.at}">${f.n(r.at)}</td><td>${f.n(r.reached)}</td><td>${r.index < 0 ? "" : f.pct(r.conversion)}</td></tr>`,
        )}
      </tbody>
    </table>
  </section>`;
  const weeks = html`<section aria-labelledby="weeks-h">
    <h2 id="weeks-h">${v.t(v.scope.kind === "partner" ? "dashboard:weeks.titlePartner" : "dashboard:weeks.titleAdmin")}</h2>
    <table class="numbers" id="weeks" data-chart="bar" data-chart-title="${v.t("dashboard:weeks.count")}">
      <thead><tr><th scope="col">${v.t("dashboard:weeks.week")}</th><th scope="col">${v.t("dashboard:weeks.count")}</th></tr></thead>
      <tbody>${o.weeks.map((w) => html`<tr data-label="${pkDay(w.start).slice(5)}" data-value="${w.count}"><th scope="row">${pkDay(w.start)}</th><td>${f.n(w.count)}</td></tr>`)}</tbody>
    </table>
  </section>`;
  return page(v, { title: v.t("dashboard:overview.title"), charts: true, body: html`${tiles}${funnel}${weeks}${daysSection(v, stages, o)}` });
}

function daysSection(v: View, stages: Stages, o: Overview): Html {
  const f = formatters(v.lang);
  const byStage = new Map(o.days.stages.map((d) => [d.stageId, d]));
  return html`<section aria-labelledby="days-h">
    <h2 id="days-h">${v.t("dashboard:days.title")}</h2>
    <p class="note">${v.t("dashboard:days.computed", { time: pkMinute(o.days.computedAt) })}</p>
    <table class="numbers" id="days">
      <thead><tr><th scope="col">${v.t("dashboard:funnel.stage")}</th><th scope="col">${v.t("dashboard:days.median")}</th><th scope="col">${v.t("dashboard:days.sellers")}</th></tr></thead>
      <tbody>
        ${stages.list.map((s) => {
          const d = byStage.get(s.id);
          const days = d ? Math.round(d.median) : null;
          return html`<tr data-stage="${s.id}"><th scope="row">${stages.label(s, v.lang)}</th><td>${days !== null ? v.t("dashboard:days.value", { count: days, days: f.n(days) }) : "–"}</td><td>${f.n(d?.sellers ?? 0)}</td></tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}
