/**
 * The page shell and small formatting helpers. Pages are hono/html templates: every
 * interpolated value is HTML-escaped unless it is itself a template, so seller names,
 * event titles and broadcast texts (all typed by people) are always safe to show.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Lang } from "../../../core/types.ts";
import type { Translate } from "../../../i18n/index.ts";
import type { Scope } from "../../progress/queries.ts";

/** A rendered fragment. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What every signed-in page knows. */
export interface View {
  t: Translate;
  lang: Lang;
  scope: Scope;
  /** The partner's name (partner sessions). */
  partnerName: string | null;
  /** The session's CSRF token for forms. */
  csrf: string;
  /** The path of this page (language switch comes back here). */
  path: string;
  /** Cache-busting versions of the assets. */
  assets: Assets;
}

/** Asset URLs with their content hashes. */
export interface Assets {
  css: string;
  js: string;
  chart: string;
}

const LOCALES: Record<Lang, string> = { en: "en-PK", ur: "ur-PK", "ur-Latn": "en-PK" };
const LANG_NAMES: Record<Lang, string> = { en: "English", ur: "اردو", "ur-Latn": "Roman Urdu" };

/** Text direction of a language. */
export const dirOf = (lang: Lang) => (lang === "ur" ? "rtl" : "ltr");

const formatterCache = new Map<Lang, { n(x: number): string; pct(x: number | null): string }>();

/** Number formatting in the page's language (built once per language: Intl objects are costly). */
export function formatters(lang: Lang) {
  let f = formatterCache.get(lang);
  if (!f) {
    const n = new Intl.NumberFormat(LOCALES[lang]);
    const pct = new Intl.NumberFormat(LOCALES[lang], { style: "percent", maximumFractionDigits: 0 });
    f = { n: (x) => n.format(x), pct: (x) => (x === null ? "–" : pct.format(x)) };
    formatterCache.set(lang, f);
  }
  return f;
}

const textCache = new WeakMap<Translate, Map<string, string>>();

/**
 * A translator that remembers texts without parameters: a page of 100 cards asks for the
 * same labels hundreds of times, and i18next's lookup is the page's largest cost after the
 * database. The resources do not change while the process runs.
 */
export function rememberingTranslator(t: Translate): Translate {
  let memo = textCache.get(t);
  if (!memo) textCache.set(t, (memo = new Map()));
  const texts = memo;
  return (key, params) => {
    if (params) return t(key, params);
    let text = texts.get(key);
    if (text === undefined) texts.set(key, (text = t(key)));
    return text;
  };
}

/** YYYY-MM-DD in Pakistan time. */
export function pkDay(date: Date): string {
  return new Date(date.getTime() + 5 * 3600_000).toISOString().slice(0, 10);
}

/** YYYY-MM-DD HH:MM in Pakistan time. */
export function pkMinute(date: Date): string {
  return new Date(date.getTime() + 5 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

/** A hidden CSRF field for a form. */
export const csrfField = (v: Pick<View, "csrf">) => html`<input type="hidden" name="_csrf" value="${v.csrf}">`;

/** A signed-in page: header with navigation, language switch and logout, then the content. */
export function page(v: View, options: { title: string; body: Html | string; charts?: boolean }): Html {
  const admin = v.scope.kind === "admin";
  const links: Array<[string, string]> = [
    ["/dashboard", v.t("dashboard:nav.overview")],
    ["/dashboard/stuck", v.t("dashboard:nav.stuck")],
    ["/dashboard/broadcasts", v.t("dashboard:nav.broadcasts")],
    ["/dashboard/events", v.t("dashboard:nav.events")],
    ...(admin
      ? ([
          ["/dashboard/partners", v.t("dashboard:nav.partners")],
          ["/dashboard/cities", v.t("dashboard:nav.cities")],
          ["/dashboard/requests", v.t("dashboard:nav.requests")],
        ] as Array<[string, string]>)
      : []),
  ];
  const current = (href: string) => (href === "/dashboard" ? v.path === "/dashboard" : v.path.startsWith(href));
  const who = admin ? v.t("dashboard:who.admin") : v.t("dashboard:who.partner", { name: v.partnerName ?? "" });
  return shell(v.lang, v.assets, {
    title: options.title,
    charts: options.charts,
    body: html`<header class="top">
        <div class="bar">
          <strong class="brand">${v.t("dashboard:title")}</strong>
          <span class="who">${who}</span>
          <form method="post" action="/dashboard/logout" class="logout">${csrfField(v)}<button type="submit">${v.t("dashboard:logout")}</button></form>
        </div>
        <nav aria-label="${v.t("dashboard:nav.label")}">
          ${links.map(([href, label]) => html`<a href="${href}"${current(href) ? html` aria-current="page"` : ""}>${label}</a>`)}
        </nav>
        <form method="post" action="/dashboard/language" class="langs" aria-label="${v.t("dashboard:language")}">
          ${csrfField(v)}<input type="hidden" name="back" value="${v.path}">
          ${(["en", "ur", "ur-Latn"] as const).map(
            (l) => html`<button type="submit" name="lang" value="${l}" lang="${l}" dir="${dirOf(l)}"${l === v.lang ? html` aria-pressed="true"` : html` aria-pressed="false"`}>${LANG_NAMES[l]}</button>`,
          )}
        </form>
      </header>
      <main>
        <h1>${options.title}</h1>
        ${options.body}
      </main>`,
  });
}

/** A page outside a session (login problems, logged out, not signed in). */
export function publicPage(lang: Lang, assets: Assets, title: string, text: string): Html {
  return shell(lang, assets, { title, body: html`<main class="public"><h1>${title}</h1><p>${text}</p></main>` });
}

function shell(lang: Lang, assets: Assets, options: { title: string; body: Html | string; charts?: boolean }): Html {
  // Charts load only where a page has them; both scripts are deferred, in order.
  const scripts = options.charts ? html`<script src="${assets.chart}" defer></script><script src="${assets.js}" defer></script>` : "";
  return html`<!doctype html>
<html lang="${lang}" dir="${dirOf(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${options.title}</title>
<link rel="stylesheet" href="${assets.css}">
${scripts}
</head>
<body>
${options.body}
</body>
</html>`;
}
