/**
 * The partner's and admin's side: stage counts, who is stuck, one seller's history.
 * A partner sees only sellers assigned to them (SellerAssignment); an admin sees everyone.
 */
import { z } from "zod";
import type { Ctx } from "../../core/context.ts";
import type { Choice } from "../../core/types.ts";
import { partnerIdOfMember } from "../partners/api.ts";
import { groupedCounts, sellerInScope, sellersByName, stageCounts, stuckSellers, total, type Scope, type StageCount } from "./queries.ts";
import type { Stages } from "./stages.ts";
import { applyChange, history, nextStage, readProgress } from "./store.ts";

/** Default "stuck" threshold offered as a button. */
export const DEFAULT_STUCK_DAYS = 14;

const days = z.coerce.number().int().min(1).max(365);
const sellerId = z.coerce.number().int().positive().max(2_147_483_647);
const markArgs = z.tuple([sellerId, z.string().regex(/^[a-z0-9-]{1,24}$/)]);

/** Formats a date as YYYY-MM-DD in Pakistan time (UTC+5, no daylight saving). */
export function pkDate(date: Date): string {
  return new Date(date.getTime() + 5 * 3600_000).toISOString().slice(0, 10);
}

/** Partner/admin handlers over the loaded stages. */
export function createPartnerSide(stages: Stages) {
  /** The scope of the user, or null after telling them why they have none. */
  async function scopeOf(ctx: Ctx): Promise<Scope | null> {
    if (ctx.user.role === "admin") return { kind: "admin" };
    const partnerId = ctx.user.role === "partner" ? await partnerIdOfMember(ctx.deps.db, ctx.user.id) : null;
    if (partnerId === null) {
      await ctx.reply(ctx.t("progress:partner.notLinked"));
      return null;
    }
    return { kind: "partner", partnerId };
  }

  const stageLabel = (ctx: Ctx, index: number) => (index < 0 ? ctx.t("progress:summary.none") : stages.label(stages.list[index]!, ctx.lang));

  async function summary(ctx: Ctx): Promise<void> {
    const scope = await scopeOf(ctx);
    if (!scope) return;
    const counts = await stageCounts(ctx.deps.db, scope);
    const n = total(counts);
    if (n === 0 && scope.kind === "partner") return ctx.reply(ctx.t("progress:summary.empty"));
    const byIndex = new Map(counts.map((c) => [c.index, c.count]));
    const lines = [-1, ...stages.list.map((s) => s.index)].map((i) => ctx.t("progress:summary.line", { label: stageLabel(ctx, i), count: byIndex.get(i) ?? 0 }));
    const title = ctx.t(scope.kind === "admin" ? "progress:summary.titleAdmin" : "progress:summary.titlePartner", { total: n });
    const choices: Choice[] = [{ data: `pg:stuck:${DEFAULT_STUCK_DAYS}`, label: ctx.t("progress:choice.stuck", { days: DEFAULT_STUCK_DAYS }) }];
    if (scope.kind === "admin") choices.push({ data: "pg:by:city", label: ctx.t("progress:choice.byCity") }, { data: "pg:by:partner", label: ctx.t("progress:choice.byPartner") });
    await ctx.reply({ text: [title, lines.join("\n"), ctx.t("progress:summary.hint")].join("\n\n"), choices });
  }

  async function grouped(ctx: Ctx, by: "city" | "partner"): Promise<void> {
    if (ctx.user.role !== "admin") return summary(ctx); // partners have one group: their own
    const groups = await groupedCounts(ctx.deps.db, by);
    const listedFrom = stages.list.find((s) => s.minProducts !== undefined)?.index ?? 0;
    const last = stages.list.length - 1;
    const sum = (counts: StageCount[], from: number) => counts.filter((c) => c.index >= from).reduce((s, c) => s + c.count, 0);
    const lines = groups.slice(0, 25).map((g) =>
      ctx.t("progress:grouped.line", {
        group: g.group || ctx.t(by === "city" ? "progress:grouped.unknownCity" : "progress:grouped.noPartner"),
        total: total(g.counts),
        listed: sum(g.counts, listedFrom),
        ordered: sum(g.counts, last),
      }),
    );
    await ctx.reply([ctx.t(by === "city" ? "progress:grouped.titleCity" : "progress:grouped.titlePartner"), lines.join("\n")].join("\n\n"));
  }

  async function stuck(ctx: Ctx, arg: string): Promise<void> {
    const parsed = days.safeParse(arg.trim() === "" ? DEFAULT_STUCK_DAYS : arg.trim());
    if (!parsed.success) return ctx.reply(ctx.t("progress:stuck.badDays"));
    const scope = await scopeOf(ctx);
    if (!scope) return;
    const cutoff = new Date(ctx.deps.now().getTime() - parsed.data * 86_400_000);
    const found = await stuckSellers(ctx.deps.db, scope, cutoff, stages.list.length);
    if (found.total === 0) return ctx.reply(ctx.t("progress:stuck.none", { days: parsed.data }));
    const lines = found.sellers.map((s) =>
      ctx.t("progress:stuck.line", { id: s.id, name: s.name ?? ctx.t("progress:unnamed"), stage: stageLabel(ctx, s.index), date: pkDate(s.since) }),
    );
    if (found.total > found.sellers.length) lines.push(ctx.t("progress:stuck.more", { count: found.total - found.sellers.length }));
    const choices = found.sellers.slice(0, 5).map((s) => ({ data: `pg:seller:${s.id}`, label: ctx.t("progress:choice.history", { id: s.id, name: s.name ?? ctx.t("progress:unnamed") }).slice(0, 40) }));
    await ctx.reply({ text: [ctx.t("progress:stuck.title", { total: found.total, days: parsed.data }), lines.join("\n")].join("\n\n"), choices });
  }

  /** "seller 42" or "seller Ali": one seller's checklist and history, if in scope. */
  async function seller(ctx: Ctx, arg: string): Promise<void> {
    const query = arg.trim().replace(/^#/, "");
    if (!query) return ctx.reply(ctx.t("progress:seller.usage"));
    const scope = await scopeOf(ctx);
    if (!scope) return;
    if (/^\d+$/.test(query)) return showSeller(ctx, scope, Number(query));
    const matches = await sellersByName(ctx.deps.db, scope, query.slice(0, 60));
    if (matches.length === 0) return ctx.reply(ctx.t("progress:seller.notYours"));
    if (matches.length === 1) return showSeller(ctx, scope, matches[0]!.id);
    return ctx.reply({
      text: ctx.t("progress:seller.pick"),
      choices: matches.map((m) => ({ data: `pg:seller:${m.id}`, label: ctx.t("progress:choice.history", { id: m.id, name: m.name ?? ctx.t("progress:unnamed") }).slice(0, 40) })),
    });
  }

  async function showSeller(ctx: Ctx, scope: Scope, id: number, prefix?: string): Promise<void> {
    const found = await sellerInScope(ctx.deps.db, scope, id);
    if (!found) return ctx.reply(ctx.t("progress:seller.notYours"));
    const state = await readProgress(ctx.deps.db, id);
    const done = stages.list.filter((s) => state.reached.has(s.id)).length;
    const checklist = stages.list.map((s) => {
      const at = state.reached.get(s.id);
      return `${at ? "✅" : "⬜"} ${stages.label(s, ctx.lang)}${at ? ` (${pkDate(at)})` : ""}`;
    });
    const events = await history(ctx.deps.db, id);
    const historyLines = events.map((e) =>
      ctx.t("progress:seller.event", {
        date: pkDate(e.createdAt),
        mark: e.action === "undo" ? "↩️" : "✅",
        stage: stages.byId(e.stageId) ? stages.label(stages.byId(e.stageId)!, ctx.lang) : e.stageId,
        source: ctx.t(`progress:source.${e.source}`),
      }),
    );
    const next = nextStage(stages, state);
    const choices: Choice[] = next ? [{ data: `pg:mark:${id}:${next.id}`, label: ctx.t("progress:choice.markNext", { stage: stages.label(next, ctx.lang) }) }] : [];
    await ctx.reply({
      text: [
        prefix,
        ctx.t("progress:seller.title", { id, name: found.name ?? ctx.t("progress:unnamed"), done, total: stages.list.length }),
        checklist.join("\n"),
        `${ctx.t("progress:seller.historyTitle")}\n${historyLines.length ? historyLines.join("\n") : ctx.t("progress:seller.noHistory")}`,
      ]
        .filter(Boolean)
        .join("\n\n"),
      choices,
    });
  }

  /** `pg:seller:<id>` (validated; scope checked again, a forged id is refused). */
  async function sellerChoice(ctx: Ctx, rest: string): Promise<void> {
    const id = sellerId.safeParse(rest);
    const scope = await scopeOf(ctx);
    if (!scope) return;
    if (!id.success) return ctx.reply(ctx.t("progress:seller.notYours"));
    return showSeller(ctx, scope, id.data);
  }

  /** `pg:mark:<sellerId>:<stageId>`: a partner or admin records a step for a seller. */
  async function mark(ctx: Ctx, rest: string): Promise<void> {
    const args = markArgs.safeParse(rest.split(":"));
    const scope = await scopeOf(ctx);
    if (!scope) return;
    if (!args.success) return ctx.reply(ctx.t("progress:unknownStage"));
    const [id, stageId] = args.data;
    if (!(await sellerInScope(ctx.deps.db, scope, id))) return ctx.reply(ctx.t("progress:seller.notYours"));
    const result = await applyChange(ctx.deps, stages, { sellerId: id, source: scope.kind === "admin" ? "admin" : "partner", actorId: ctx.user.id, change: { kind: "tick", stageIds: [stageId] } });
    if (!result.ok) return ctx.reply(ctx.t(result.reason === "unknown-stage" ? "progress:unknownStage" : "progress:already"));
    return showSeller(ctx, scope, id, ctx.t("progress:seller.marked", { id, stage: stages.label(stages.byId(stageId)!, ctx.lang) }));
  }

  return { summary, grouped, stuck, seller, sellerChoice, mark };
}
