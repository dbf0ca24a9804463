/**
 * The seller's side: the checklist, ticking and unticking steps, and free-text reports
 * confirmed before saving.
 */
import { z } from "zod";
import type { Ctx, Middleware } from "../../core/context.ts";
import type { Choice } from "../../core/types.ts";
import { MAX_PRODUCTS, parseReport, stagesForCount } from "./report.ts";
import type { Stages } from "./stages.ts";
import { applyChange, nextStage, readProgress, type ChangeResult } from "./store.ts";

/** Flow name for "shall I save this report?". */
export const CONFIRM_FLOW = "progress.confirm";

const confirmData = z.object({ stageIds: z.array(z.string().max(24)).min(1).max(20), count: z.number().int().positive().max(MAX_PRODUCTS).optional() });
const stageIdArg = z.string().regex(/^[a-z0-9-]{1,24}$/);


/** Seller-side handlers over the loaded stages. */
export function createSellerSide(stages: Stages) {
  const labels = (ctx: Ctx, ids: string[]) => ids.map((id) => stages.byId(id)).filter((s) => s !== undefined).map((s) => stages.label(s, ctx.lang)).join(", ");

  /** Shows the checklist with ✅/⬜, the next step and its how-to. */
  async function showChecklist(ctx: Ctx, prefix?: string): Promise<void> {
    const state = await readProgress(ctx.deps.db, ctx.user.id);
    const lines = stages.list.map((s) => `${state.reached.has(s.id) ? "✅" : "⬜"} ${stages.label(s, ctx.lang)}`);
    const next = nextStage(stages, state);
    const done = stages.list.filter((s) => state.reached.has(s.id)).length;
    const parts = [ctx.t("progress:checklist.title", { done, total: stages.list.length }), lines.join("\n")];
    const choices: Choice[] = [];
    if (next) {
      parts.push(ctx.t("progress:checklist.next", { stage: stages.label(next, ctx.lang), howTo: next.howTo[ctx.lang] }), ctx.t("progress:checklist.hint"));
      choices.push({ data: `pg:tick:${next.id}`, label: ctx.t("progress:choice.tick", { stage: stages.label(next, ctx.lang) }) });
      choices.push({ data: `faq:topic:${next.faqTopic}`, label: ctx.t("progress:choice.howTo", { stage: stages.label(next, ctx.lang) }) });
      if (stages.list.length - done > 1) choices.push({ data: "pg:more", label: ctx.t("progress:choice.more") });
    } else parts.push(ctx.t("progress:checklist.allDone"));
    // The latest tick; several stages ticked at once (a count) undo from the furthest.
    const idx = (id: string) => stages.byId(id)?.index ?? -1;
    const last = [...state.reached].sort((a, b) => b[1].getTime() - a[1].getTime() || idx(b[0]) - idx(a[0]))[0];
    const lastStage = last && stages.byId(last[0]);
    if (lastStage) choices.push({ data: `pg:undo:${lastStage.id}`, label: ctx.t("progress:choice.undo", { stage: stages.label(lastStage, ctx.lang) }) });
    await ctx.reply({ text: [prefix, ...parts].filter(Boolean).join("\n\n"), choices });
  }

  /** The unticked steps as choices. */
  async function showMore(ctx: Ctx): Promise<void> {
    const state = await readProgress(ctx.deps.db, ctx.user.id);
    const open = stages.list.filter((s) => !state.reached.has(s.id));
    await ctx.reply({ text: ctx.t("progress:more.title"), choices: open.map((s) => ({ data: `pg:tick:${s.id}`, label: stages.label(s, ctx.lang) })) });
  }

  async function reportResult(ctx: Ctx, result: ChangeResult, undo = false): Promise<void> {
    if (!result.ok) {
      const key = { "unknown-stage": "unknownStage", "already-reached": "already", "not-reached": "notReached", "nothing-to-undo": "nothingToUndo" }[result.reason];
      return ctx.reply(ctx.t(`progress:${key}`));
    }
    const text = undo ? ctx.t("progress:undone", { stage: labels(ctx, result.changed) }) : ctx.t("progress:ticked", { stages: labels(ctx, result.changed) });
    return showChecklist(ctx, text);
  }

  async function tick(ctx: Ctx, stageIds: string[], count?: number): Promise<void> {
    const result = await applyChange(ctx.deps, stages, { sellerId: ctx.user.id, source: "seller", actorId: ctx.user.id, change: { kind: "tick", stageIds, count } });
    return reportResult(ctx, result);
  }

  async function undo(ctx: Ctx, stageId?: string): Promise<void> {
    const result = await applyChange(ctx.deps, stages, { sellerId: ctx.user.id, source: "seller", actorId: ctx.user.id, change: { kind: "undo", stageId } });
    return reportResult(ctx, result, true);
  }

  /** Choice data from a button or a forged payload: validated before use. */
  const onTick = (ctx: Ctx, rest: string) => {
    const id = stageIdArg.safeParse(rest);
    return id.success ? tick(ctx, [id.data]) : ctx.reply(ctx.t("progress:unknownStage"));
  };
  const onUndo = (ctx: Ctx, rest: string) => {
    const id = stageIdArg.safeParse(rest);
    return id.success ? undo(ctx, id.data) : ctx.reply(ctx.t("progress:unknownStage"));
  };

  /**
   * A report the understanding step found (`progress.report` with a stage or a product
   * count): ask before saving; impossible counts (0, -5, a million) answered, nothing stored.
   */
  const report: Middleware = async (ctx, next) => {
    const u = ctx.understanding;
    if (ctx.message.content.kind !== "text" || ctx.user.role !== "seller" || ctx.message.chat.kind !== "private" || u?.intent !== "progress.report") return next();
    const bad = parseReport(ctx.text, stages);
    const count = u.entities.count;
    const reason = bad?.kind === "bad-count" ? bad.reason : count === 0 ? "zero" : count !== undefined && count > MAX_PRODUCTS ? "too-many" : undefined;
    if (reason) {
      const key = { negative: "negative", zero: "zero", "too-many": "tooMany" }[reason];
      return ctx.reply(ctx.t(`progress:badCount.${key}`, { max: MAX_PRODUCTS }));
    }
    const stageIds = count !== undefined ? stagesForCount(stages, count) : u.entities.stage ? [u.entities.stage] : [];
    if (stageIds.length === 0) return next();
    await ctx.state.set(CONFIRM_FLOW, { stageIds, count }, 30);
    const text = count !== undefined ? ctx.t("progress:confirm.count", { count, stages: labels(ctx, stageIds) }) : ctx.t("progress:confirm.stages", { stages: labels(ctx, stageIds) });
    return ctx.reply({ text, choices: [{ data: "pg:confirm:yes", label: ctx.t("progress:choice.yes") }, { data: "pg:confirm:no", label: ctx.t("progress:choice.no") }] });
  };

  /** The confirmation flow: yes saves, no drops; anything else leaves the flow and is handled normally. */
  const confirmFlow: Middleware = async (ctx, next) => {
    const c = ctx.message.content;
    const typed = c.kind === "text" ? ctx.understanding?.answer : undefined;
    const answer = c.kind === "choice" ? ({ "pg:confirm:yes": "yes", "pg:confirm:no": "no" } as const)[c.data] : typed === "yes" || typed === "no" ? typed : undefined;
    const data = confirmData.safeParse(ctx.state.data);
    await ctx.state.clear();
    if (!answer) return next();
    if (answer === "no" || !data.success) return ctx.reply(ctx.t("progress:confirm.cancelled"));
    return tick(ctx, data.data.stageIds, data.data.count);
  };

  return { showChecklist, showMore, onTick, onUndo, undo, report, confirmFlow };
}
