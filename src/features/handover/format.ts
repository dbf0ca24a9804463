/** How handover times read: a clock time, the working-hours window, an age. */
import type { WorkingHours } from "../../config.ts";
import type { Lang } from "../../core/types.ts";
import type { Translate } from "../../i18n/index.ts";

/** "14:05" in the time zone. */
export function formatTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hour12: false }).format(at);
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** "Mon–Sat 09:00–18:00" (day names in Urdu for Urdu readers). */
export function formatWindow(hours: WorkingHours, lang: Lang): string {
  // 2026-11-29 was a Sunday: day d of the week is that date plus d days.
  const name = (d: number) => new Intl.DateTimeFormat(lang === "ur" ? "ur-PK" : "en-GB", { weekday: lang === "ur" ? "long" : "short", timeZone: "UTC" }).format(new Date(Date.UTC(2026, 10, 29 + d)));
  const days = [...hours.days].sort((a, b) => a - b);
  // Monday-first runs: "Mon–Sat", or a list when the days are not one run.
  const order = days.map((d) => (d + 6) % 7).sort((a, b) => a - b);
  const run = order.every((d, i) => i === 0 || d === order[i - 1]! + 1);
  const first = (order[0]! + 1) % 7;
  const last = (order.at(-1)! + 1) % 7;
  const dayText = days.length === 7 ? "" : run && days.length > 2 ? `${name(first)}–${name(last)} ` : `${order.map((d) => name((d + 1) % 7)).join(", ")} `;
  return `${dayText}${hhmm(hours.startMinute)}–${hhmm(hours.endMinute)}`;
}

/** "35 min", "3 h", "2 d". */
export function formatAge(ms: number, t: Translate): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return t("handover:list.minutes", { count: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return t("handover:list.hours", { count: hours });
  return t("handover:list.days", { count: Math.round(hours / 24) });
}
