/**
 * Events: RSVP counts (going, maybe, can't, waiting) and the attendee CSV, the same file
 * as `seller-bot events attendees ID --format csv`.
 */
import { html } from "hono/html";
import type { RsvpCounts } from "../../events/api.ts";
import { eventTitle } from "../../events/render.ts";
import type { EventRow } from "../../events/service.ts";
import { formatEventTime } from "../../events/time.ts";
import { rsvpLine } from "./broadcasts.ts";
import { formatters, page, type Html, type View } from "./layout.ts";

/** The list of events with their answers. */
export function eventsPage(v: View, list: Array<{ event: EventRow; rsvp: RsvpCounts }>): Html {
  const f = formatters(v.lang);
  const status = (e: EventRow) => v.t(`dashboard:events.status.${e.status === "published" || e.status === "cancelled" ? e.status : "draft"}`);
  const body = list.length
    ? html`<ul class="cards" id="events">${list.map(
        ({ event: e, rsvp }) => html`<li data-event="${e.id}">
          <span class="name">${eventTitle(e, v.lang)}</span> <span class="state state-${e.status}">${status(e)}</span>
          <p>${formatEventTime(e.startsAt, e.endsAt, v.lang)}<br>${e.venueName}, ${e.venueAddress}</p>
          <p>${v.t("dashboard:events.seats", { going: f.n(rsvp.going), capacity: f.n(e.capacity) })}</p>
          ${rsvpLine(v, rsvp)}
          <a class="download" href="/dashboard/events/${e.id}/attendees.csv" download>${v.t("dashboard:events.csv")}</a>
        </li>`,
      )}</ul>`
    : html`<p>${v.t("dashboard:events.none")}</p>`;
  return page(v, { title: v.t("dashboard:events.title"), body });
}
