/**
 * The numbers of the overview page and of `GET /dashboard/api/summary`, for one scope:
 * the funnel (sellers at their furthest stage, reached-or-beyond, conversion), new sellers
 * per week, median days to each stage, and how many are stuck.
 */
import type { Db } from "../../db/client.ts";
import { DEFAULT_STUCK_DAYS } from "../progress/partner.ts";
import { stageCounts, stuckCount, total, type Scope, type StageCount } from "../progress/queries.ts";
import type { Stages } from "../progress/stages.ts";
import { newSellersPerWeek, type Provider } from "./queries.ts";
import { readStageDays, type StageDays } from "./stage-days.ts";

/** The "stuck" threshold when none is asked for: the bot's. */
export { DEFAULT_STUCK_DAYS };

/** One row of the funnel. */
export interface FunnelRow {
  /** -1: not started */
  index: number;
  stageId: string | null;
  /** Sellers whose furthest stage is this one. */
  at: number;
  /** Sellers at this stage or further. */
  reached: number;
  /** reached / reached of the previous stage (of all sellers for the first); null when there were none. */
  conversion: number | null;
}

/** The summary the API returns (a contract: design.md). */
export interface Summary {
  sellers: number;
  stages: Array<{ id: string; count: number }>;
  stuck: number;
  stuckDays: number;
}

/** The funnel from stage counts. */
export function funnel(stages: Stages, counts: StageCount[]): FunnelRow[] {
  const at = new Map(counts.map((c) => [c.index, c.count]));
  const all = total(counts);
  const reachedFrom = (index: number) => counts.filter((c) => c.index >= index).reduce((s, c) => s + c.count, 0);
  const rows: FunnelRow[] = [{ index: -1, stageId: null, at: at.get(-1) ?? 0, reached: all, conversion: null }];
  for (const stage of stages.list) {
    const previous = rows.at(-1)!.reached;
    const reached = reachedFrom(stage.index);
    rows.push({ index: stage.index, stageId: stage.id, at: at.get(stage.index) ?? 0, reached, conversion: previous > 0 ? reached / previous : null });
  }
  return rows;
}

/** The API summary: counts at each stage and the stuck total. */
export async function summary(db: Db, stages: Stages, scope: Scope, now: Date, stuckDays = DEFAULT_STUCK_DAYS): Promise<Summary> {
  const cutoff = new Date(now.getTime() - stuckDays * 86_400_000);
  const [counts, stuck] = await Promise.all([stageCounts(db, scope), stuckCount(db, scope, cutoff, stages.list.length)]);
  const at = new Map(counts.map((c) => [c.index, c.count]));
  return { sellers: total(counts), stages: stages.list.map((s) => ({ id: s.id, count: at.get(s.index) ?? 0 })), stuck, stuckDays };
}

/** Everything the overview shows. */
export interface Overview {
  sellers: number;
  funnel: FunnelRow[];
  weeks: Array<{ start: Date; count: number }>;
  days: { stages: StageDays[]; computedAt: Date };
  stuck: number;
  stuckDays: number;
  pendingRequests: number | null;
}

/**
 * Loads the overview: the progress feature's stage counts and stuck count, new sellers per
 * week, the stored medians (stage-days.ts), and for admins the waiting partner requests.
 * They run side by side (PostgreSQL answers on separate pooled connections).
 */
export async function loadOverview(db: Db, provider: Provider, stages: Stages, scope: Scope, now: Date): Promise<Overview> {
  const cutoff = new Date(now.getTime() - DEFAULT_STUCK_DAYS * 86_400_000);
  const [counts, stuck, weeks, days, pendingRequests] = await Promise.all([
    stageCounts(db, scope),
    stuckCount(db, scope, cutoff, stages.list.length),
    newSellersPerWeek(db, provider, scope, now),
    readStageDays(db, provider, scope, now),
    scope.kind === "admin" ? db.partnerRequest.count({ where: { status: "pending" } }) : Promise.resolve(null),
  ]);
  return { sellers: total(counts), funnel: funnel(stages, counts), weeks, days, stuck, stuckDays: DEFAULT_STUCK_DAYS, pendingRequests };
}
