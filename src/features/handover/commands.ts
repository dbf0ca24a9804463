/**
 * What staff (partners' accounts, admins) send about handovers: a reply to a notice (the
 * answer, or `/done`), `/reply CODE text`, `/done CODE`, `/handovers`. Only the handover's
 * partner's accounts and admins may answer or close one.
 */
import type { Ctx, Next } from "../../core/context.ts";
import type { MediaRef } from "../../core/types.ts";
import { partnerIdOfMember } from "../partners/api.ts";
import { formatAge } from "./format.ts";
import { findHandover, handoverOfNotice, type HandoverRow } from "./repository.ts";
import type { HandoverService } from "./service.ts";

/** A staff command at the start of a text. */
export const STAFF_COMMAND = /^\/(reply|done|handovers)(?:@\w+)?(?:\s|$)/i;
const COMMAND = /^\/(reply|done|handovers)(?:@\w+)?(?:\s+([\s\S]*))?$/i;
const LISTED = 20;

/** Staff handling, before any flow: a reply to a notice must not be taken as a flow's answer. */
export function createStaffCommands(service: HandoverService) {
  async function sellerName(ctx: Ctx, h: HandoverRow): Promise<string> {
    const u = await ctx.deps.db.user.findUnique({ where: { id: h.sellerId }, select: { displayName: true } });
    return u?.displayName ?? `#${h.sellerId}`;
  }

  /** The handover if this user may act on it; otherwise the reason is replied and null returned. */
  async function allowed(ctx: Ctx, h: HandoverRow | null, ref: string): Promise<HandoverRow | null> {
    if (!h) {
      await ctx.reply(ctx.t("handover:staff.notFound", { code: ref.slice(0, 20) }));
      return null;
    }
    if (!(await service.mayAct(h, ctx.user))) {
      ctx.deps.log.info({ userId: ctx.user.id, handover: h.code }, "handover: refused a staff member of another partner");
      await ctx.reply(ctx.t("handover:staff.notYours", { code: h.code }));
      return null;
    }
    if (h.status !== "open") {
      await ctx.reply(ctx.t("handover:staff.alreadyClosed", { code: h.code }));
      return null;
    }
    return h;
  }

  async function answer(ctx: Ctx, h: HandoverRow, message: { text?: string; voice?: MediaRef }): Promise<void> {
    const ok = await service.answer(h, { id: ctx.user.id, role: ctx.user.role, channel: ctx.message.channel }, message);
    await ctx.reply(ok ? ctx.t("handover:staff.sent", { seller: await sellerName(ctx, h) }) : ctx.t("handover:staff.cannotSend"));
  }

  async function done(ctx: Ctx, h: HandoverRow): Promise<void> {
    const closed = await service.close(h, { reason: "done", by: ctx.user.id });
    await ctx.reply(ctx.t(closed ? "handover:staff.closed" : "handover:staff.alreadyClosed", { code: h.code, seller: await sellerName(ctx, h) }));
  }

  async function list(ctx: Ctx): Promise<void> {
    const { db } = ctx.deps;
    const partnerId = ctx.user.role === "admin" ? undefined : await partnerIdOfMember(db, ctx.user.id);
    if (partnerId === null) return ctx.reply(ctx.t("handover:staff.notStaff"));
    const rows = await db.handover.findMany({ where: { status: "open", ...(partnerId !== undefined ? { partnerId } : {}) }, orderBy: { openedAt: "asc" }, take: LISTED });
    if (rows.length === 0) return ctx.reply(ctx.t("handover:list.none"));
    const users = await db.user.findMany({ where: { id: { in: rows.map((r) => r.sellerId) } }, select: { id: true, displayName: true, sellerProfile: { select: { city: true } } } });
    const partners = await db.partner.findMany({ where: { id: { in: rows.flatMap((r) => (r.partnerId !== null ? [r.partnerId] : [])) } }, select: { id: true, name: true } });
    const now = ctx.deps.now().getTime();
    const lines = rows.map((r) => {
      const u = users.find((x) => x.id === r.sellerId);
      const state = r.pickedUpAt ? "answered" : r.escalatedAt ? "escalated" : "waiting";
      return ctx.t("handover:list.item", {
        code: r.code,
        seller: u?.displayName ?? `#${r.sellerId}`,
        city: u?.sellerProfile?.city ?? "-",
        who: partners.find((p) => p.id === r.partnerId)?.name ?? ctx.t("handover:team"),
        age: formatAge(now - r.openedAt.getTime(), ctx.t),
        state: ctx.t(`handover:list.${state}`),
        last: r.lastMessage || "-",
      });
    });
    return ctx.reply([ctx.t("handover:list.title", { count: rows.length }), "", ...lines.join("\n\n").split("\n")].join("\n"));
  }

  return {
    async handle(ctx: Ctx, next: Next): Promise<void> {
      const c = ctx.message.content;
      const replyTo = ctx.message.replyToMessageId;
      const noticed = replyTo ? await handoverOfNotice(ctx.deps.db, ctx.message.channel, ctx.message.chat.id, replyTo) : null;
      const command = c.kind === "text" ? COMMAND.exec(ctx.text.trim()) : null;
      if (!command) {
        if (!noticed) return next();
        const h = await allowed(ctx, noticed, noticed.code);
        if (!h) return;
        if (c.kind === "text") return answer(ctx, h, { text: ctx.text });
        if (c.kind === "voice") return answer(ctx, h, { voice: c.media });
        return ctx.reply(ctx.t("handover:staff.cannotSend"));
      }
      const verb = command[1]!.toLowerCase();
      const args = command[2]?.trim() ?? "";
      if (verb === "handovers") return list(ctx);
      if (ctx.user.role !== "admin" && (await partnerIdOfMember(ctx.deps.db, ctx.user.id)) === null) return ctx.reply(ctx.t("handover:staff.notStaff"));
      if (verb === "done") {
        if (!args && !noticed) return ctx.reply(ctx.t("handover:staff.doneUsage"));
        const h = await allowed(ctx, args ? await findHandover(ctx.deps.db, args) : noticed, args || noticed!.code);
        return h ? done(ctx, h) : undefined;
      }
      // /reply CODE text, or "/reply text" in reply to a notice.
      // The code is one word; a number may be written with spaces ("+92 300 1234567").
      const phone = /^\+?\d[\d\s()-]{3,22}\d(?=\s|$)/.exec(args)?.[0];
      const ref = phone ?? args.split(/\s+/)[0] ?? "";
      const byRef = ref ? await findHandover(ctx.deps.db, ref) : null;
      const target = byRef ?? noticed;
      const text = (byRef ? args.slice(ref.length) : args).trim();
      if (!target) return ctx.reply(ref ? ctx.t("handover:staff.notFound", { code: ref.slice(0, 20) }) : ctx.t("handover:staff.replyUsage"));
      const h = await allowed(ctx, target, ref);
      if (!h) return;
      if (!text) return ctx.reply(ctx.t("handover:staff.emptyReply", { code: h.code }));
      return answer(ctx, h, { text });
    },
  };
}
