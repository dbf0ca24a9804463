/**
 * The partner dashboard, bot side: a partner or admin sends `/dashboard` (or picks "Open
 * the dashboard" in the menu) in a private chat and gets a one-time login link in their
 * language; a job keeps the medians of the overview fresh (stage-days.ts). The pages
 * themselves are ./web (served by `seller-bot start` under /dashboard).
 * docs/dashboard.md describes both.
 */
import type { AppDeps, Ctx, Feature } from "../../core/context.ts";
import { compose, onChoice, onWords } from "../../core/router.ts";
import { partnerIdOfMember } from "../partners/api.ts";
import { issueLoginLink, LINK_TTL_MS, type Grant } from "./auth.ts";
import { createStageDaysJob } from "./stage-days.ts";

/** Words that ask for the link (whole messages; sellers saying "dashboard" go on to the FAQ). */
const WORDS = ["/dashboard", "dashboard", "my dashboard", "dashboard link", "dashboard kholo", "ڈیش بورڈ"];
/** The menu entry's choice. */
export const DASHBOARD_CHOICE = "dash:link";

/** Options for tests: how often the medians are recomputed. */
export interface DashboardFeatureOptions {
  stageDaysIntervalMs?: number;
}

/** Creates the dashboard feature (the `/dashboard` command and menu entry, the medians job). */
export function createDashboardFeature(deps: AppDeps, options: DashboardFeatureOptions = {}): Feature {
  async function sendLink(ctx: Ctx, next: () => Promise<void>, explicit: boolean): Promise<void> {
    const staff = ctx.user.role === "admin" || ctx.user.role === "partner";
    if (!staff) return explicit ? ctx.reply(ctx.t("dashboard:bot.notStaff")) : next();
    // A login link in a group would let every member in.
    if (ctx.message.chat.kind !== "private") return ctx.reply(ctx.t("dashboard:bot.privateOnly"));
    const grant = await grantOf(ctx);
    if (!grant) return ctx.reply(ctx.t("dashboard:bot.notApproved"));
    const url = await issueLoginLink(deps.db, deps.config, { grant, userId: ctx.user.id, language: ctx.lang }, deps.now());
    deps.log.info({ userId: ctx.user.id, role: grant.role }, "dashboard: login link sent");
    await ctx.reply(ctx.t("dashboard:bot.link", { url, minutes: LINK_TTL_MS / 60_000 }));
  }

  return {
    name: "dashboard",
    middleware: compose([
      onWords(WORDS, (ctx, _args, next) => sendLink(ctx, next, ctx.text.trim().toLowerCase().startsWith("/dashboard"))),
      onChoice(DASHBOARD_CHOICE, (ctx, _rest, next) => sendLink(ctx, next, true)),
    ]),
    menu: [{ labelKey: "dashboard:menu.open", data: DASHBOARD_CHOICE, roles: ["partner", "admin"] }],
    jobs: [createStageDaysJob(deps, options.stageDaysIntervalMs)],
  };
}

/** Admins see everything; a partner account its approved partner; anyone else nothing. */
async function grantOf(ctx: Ctx): Promise<Grant | null> {
  if (ctx.user.role === "admin") return { role: "admin" };
  const partnerId = await partnerIdOfMember(ctx.deps.db, ctx.user.id);
  return partnerId === null ? null : { role: "partner", partnerId };
}
