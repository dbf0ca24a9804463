/**
 * Listing progress: each seller's onboarding checklist (stages from
 * content/progress/stages.json), partners' and admins' view of their sellers, and weekly
 * nudges for sellers who stopped moving. See docs/progress.md.
 */
import type { AppDeps, Ctx, Feature, Middleware } from "../../core/context.ts";
import { compose, onChoice, onWords } from "../../core/router.ts";
import { createNudgeJob } from "./nudges.ts";
import { createPartnerSide } from "./partner.ts";
import { CONFIRM_FLOW, createSellerSide } from "./seller.ts";
import { loadStages, type Stages } from "./stages.ts";

/** Staff words for the summary of their sellers. */
const PARTNER_WORDS = ["my sellers", "sellers", "/sellers", "mere sellers", "summary", "میرے سیلرز"];
const UNDO_WORDS = ["undo", "/undo", "wapas", "wapis", "galti", "galti ho gayi", "واپس", "غلطی"];

/** Options for tests: nudge interval. */
export interface ProgressOptions {
  nudgeIntervalMs?: number;
  stages?: Stages;
}

/** Creates the progress feature. */
export function createProgressFeature(deps: AppDeps, options: ProgressOptions = {}): Feature {
  const stages = options.stages ?? loadStages(deps.config.contentDir);
  const seller = createSellerSide(stages);
  const partner = createPartnerSide(stages);
  const isStaff = (ctx: Ctx) => ctx.user.role === "partner" || ctx.user.role === "admin";
  const show = (ctx: Ctx) => (isStaff(ctx) ? partner.summary(ctx) : seller.showChecklist(ctx));

  // "stuck 14", "/stuck 14", "seller 42", "seller Ali", "history 42": staff commands with an argument.
  const staffCommand: Middleware = async (ctx, next) => {
    if (ctx.message.content.kind !== "text" || !isStaff(ctx)) return next();
    const m = /^(\/?)(stuck|seller|history)(?:@\w+)?(?:\s+([\s\S]{0,80}))?$/i.exec(ctx.text.trim());
    if (!m) return next();
    const arg = m[3]?.trim() ?? "";
    // "seller account kaise banaye?" is a question for the FAQ, not a name lookup.
    if (!m[1] && (/[?؟]/.test(arg) || arg.split(/\s+/).length > 3)) return next();
    return m[2]!.toLowerCase() === "stuck" ? partner.stuck(ctx, arg) : partner.seller(ctx, arg);
  };

  // Checklists and seller lists are personal: in a group only a pointer to the private chat.
  const privateOnly: Middleware = async (ctx, next) => {
    if (ctx.message.chat.kind === "private") return next();
    const c = ctx.message.content;
    const intent = c.kind === "text" ? ctx.understanding?.intent : undefined;
    const ours =
      (c.kind === "choice" && c.data.startsWith("pg:")) ||
      (c.kind === "text" && (/^\/(progress|stuck|seller|sellers|history)(@\w+)?(\s|$)/i.test(ctx.text.trim()) || intent === "progress.show" || intent === "progress.report"));
    return ours ? ctx.reply(ctx.t("progress:privateOnly")) : next();
  };

  // "meri progress dikhao" (the checklist) and "pehla order mil gaya" (a report to confirm).
  const byIntent: Middleware = async (ctx, next) => {
    const intent = ctx.message.content.kind === "text" ? ctx.understanding?.intent : undefined;
    if (intent === "progress.show") return show(ctx);
    if (intent === "progress.report") return seller.report(ctx, next);
    return next();
  };

  return {
    name: "progress",
    flows: { [CONFIRM_FLOW]: seller.confirmFlow },
    middleware: compose([
      privateOnly,
      onWords(PARTNER_WORDS, (ctx, _args, next) => (isStaff(ctx) ? partner.summary(ctx) : next())),
      onWords(UNDO_WORDS, (ctx) => seller.undo(ctx)),
      staffCommand,
      onChoice("pg:show", (ctx) => show(ctx)),
      // The checklist's buttons are a seller's own (staff are shown their summary instead), so
      // staff pressing a forged one get their view and nothing is recorded.
      onChoice("pg:more", (ctx) => (isStaff(ctx) ? show(ctx) : seller.showMore(ctx))),
      onChoice("pg:tick:", (ctx, rest) => (isStaff(ctx) ? show(ctx) : seller.onTick(ctx, rest))),
      onChoice("pg:undo:", (ctx, rest) => (isStaff(ctx) ? show(ctx) : seller.onUndo(ctx, rest))),
      // A confirmation answered after its flow expired or was cancelled.
      onChoice("pg:confirm:", (ctx) => ctx.reply(ctx.t("common:staleChoice"))),
      onChoice("pg:stuck:", (ctx, rest) => partner.stuck(ctx, rest)),
      onChoice("pg:by:", (ctx, rest) => partner.grouped(ctx, rest === "city" ? "city" : "partner")),
      onChoice("pg:seller:", (ctx, rest) => partner.sellerChoice(ctx, rest)),
      onChoice("pg:mark:", (ctx, rest) => partner.mark(ctx, rest)),
      byIntent,
    ]),
    topics: { "listing-progress": show },
    menu: [
      { labelKey: "progress:menu.progress", data: "pg:show", roles: ["seller"] },
      { labelKey: "progress:menu.sellers", data: "pg:show", roles: ["partner", "admin"] },
    ],
    jobs: [createNudgeJob(deps, stages, options.nudgeIntervalMs)],
  };
}
