/**
 * Pending partner account requests for admins: the list in chat (`/requests`, "partner
 * requests") with Approve / Reject per request, and a notice to an admin who writes while
 * requests are waiting. A request made before any admin had written to the bot reached
 * nobody when it was made (there was nobody to notify); it stays pending in the database
 * and is shown to the first admin who writes.
 */
import type { Ctx, Middleware } from "../../core/context.ts";
import type { Db } from "../../db/client.ts";
import { contactText } from "./contact.ts";
import { requestChoice } from "./membership.ts";

/** Requests listed (and given buttons) at once: two buttons each, ten at most in one message. */
const SHOWN = 5;

/** One pending request as an admin sees it. */
export interface PendingRequest {
  id: number;
  userId: number;
  userName: string | null;
  contact: string;
  partnerName: string;
  partnerCode: string;
  requestedAt: Date;
}

/** Pending requests, oldest first, with who asked and how to reach them. */
export async function pendingRequests(db: Db, limit = 50): Promise<PendingRequest[]> {
  const rows = await db.partnerRequest.findMany({
    where: { status: "pending" },
    orderBy: [{ requestedAt: "asc" }, { id: "asc" }],
    take: limit,
    include: { partner: { select: { name: true, code: true } }, user: { select: { displayName: true, identities: { select: { channel: true, externalId: true } } } } },
  });
  return rows.map((r) => ({
    id: r.id,
    userId: r.userId,
    userName: r.user.displayName,
    contact: contactText(r.user.identities),
    partnerName: r.partner.name,
    partnerCode: r.partner.code,
    requestedAt: r.requestedAt,
  }));
}

/** The admin's list of pending requests with Approve / Reject for the oldest ones. */
export async function listRequests(ctx: Ctx): Promise<void> {
  if (ctx.user.role !== "admin") return ctx.reply(ctx.t("partners:member.notAdmin"));
  const all = await pendingRequests(ctx.deps.db);
  if (all.length === 0) return ctx.reply(ctx.t("partners:requests.none"));
  const shown = all.slice(0, SHOWN);
  const lines = shown.map((r, i) =>
    ctx.t("partners:requests.item", { n: i + 1, user: r.userName ?? `#${r.userId}`, partner: r.partnerName, code: r.partnerCode, contact: r.contact, date: r.requestedAt.toISOString().slice(0, 10) }),
  );
  const more = all.length > shown.length ? ["", ctx.t("partners:requests.more", { count: all.length - shown.length })] : [];
  await ctx.reply({
    text: [ctx.t("partners:requests.title", { count: all.length }), "", ...lines, ...more].join("\n"),
    choices: shown.flatMap((r, i) => [
      { data: requestChoice("approve", r.id), label: ctx.t("partners:requests.approve", { n: i + 1, partner: r.partnerName }) },
      { data: requestChoice("reject", r.id), label: ctx.t("partners:requests.reject", { n: i + 1 }) },
    ]),
  });
}

/**
 * After an admin's first message (in this process), a line saying how many requests wait,
 * naming the command for the list. Once per admin and process: enough for requests made while
 * no admin could be told, without repeating it on every message.
 */
export function pendingRequestsNotice(told: Set<number>): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.user.role !== "admin" || ctx.message.chat.kind !== "private" || told.has(ctx.user.id)) return;
    told.add(ctx.user.id);
    const count = await ctx.deps.db.partnerRequest.count({ where: { status: "pending" } });
    if (count === 0) return;
    // Words, not a button: numbered choices would take the numbers of the reply just sent.
    await ctx.reply(ctx.t("partners:requests.waiting", { count }));
  };
}
