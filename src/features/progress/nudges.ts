/**
 * Nudges: a seller whose checklist has not moved for `config.nudgeAfterDays` gets one
 * reminder with their next step, through the broadcasts outbox (`enqueueDirect`), which
 * skips sellers who opted out. At most one a week (dedupe key per ISO week), never at night
 * in Pakistan (the send time is moved into 09:00–20:00 PKT).
 */
import { Prisma } from "../../generated/sqlite/client.ts";
import type { AppDeps, Job } from "../../core/context.ts";
import { LANGS, type Lang } from "../../core/types.ts";
import { enqueueDirect } from "../broadcasts/api.ts";
import type { DirectItem } from "../broadcasts/api.ts";
import type { Stages } from "./stages.ts";
import { readStagesJson } from "./store.ts";

const PKT_OFFSET_MS = 5 * 3600_000; // Asia/Karachi is UTC+5 all year (no daylight saving)
const DAY_START_HOUR = 9;
const DAY_END_HOUR = 20;
const BATCH = 500;

/** ISO week of the Pakistan date of `at`, e.g. "2026-W48". */
export function isoWeek(at: Date): string {
  const d = new Date(at.getTime() + PKT_OFFSET_MS);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  // The week's Thursday fixes the ISO year; week 1 holds the year's first Thursday.
  const dayOfYear = (thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / 86_400_000 + 1;
  const week = Math.ceil(dayOfYear / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** Monday 00:00 PKT of the week containing `at`, as a UTC instant. */
export function weekStart(at: Date): Date {
  const d = new Date(at.getTime() + PKT_OFFSET_MS);
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day) - PKT_OFFSET_MS);
}

/** `at` if it is daytime in Pakistan (09:00–20:00), else the next 09:00 PKT. */
export function daytimeInPakistan(at: Date): Date {
  const local = new Date(at.getTime() + PKT_OFFSET_MS);
  const hour = local.getUTCHours();
  if (hour >= DAY_START_HOUR && hour < DAY_END_HOUR) return at;
  const nine = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + (hour >= DAY_END_HOUR ? 1 : 0), DAY_START_HOUR);
  return new Date(nine - PKT_OFFSET_MS);
}

/**
 * One pass: finds sellers due a nudge and queues one message each. Returns how many the
 * outbox accepted (opted-out and unreachable sellers are skipped by `enqueueDirect`).
 */
export async function runNudges(deps: AppDeps, stages: Stages): Promise<{ considered: number; queued: number }> {
  const now = deps.now();
  const cutoff = new Date(now.getTime() - deps.config.nudgeAfterDays * 86_400_000);
  const since = weekStart(now);
  const week = isoWeek(now);
  const notBefore = daytimeInPakistan(now);
  let considered = 0;
  let queued = 0;
  let after = 0;
  for (let round = 0; round < 20; round++) {
    const due = await deps.db.$queryRaw<Array<{ id: unknown; stages: string | null }>>(Prisma.sql`
      SELECT u."id" AS id, sp."stages" AS stages FROM "User" u LEFT JOIN "SellerProgress" sp ON sp."sellerId" = u."id"
      WHERE u."role" = 'seller' AND u."id" > ${after}
        AND COALESCE(sp."reachedCount", 0) < ${stages.list.length}
        AND COALESCE(sp."lastChangeAt", u."createdAt") < ${cutoff}
        AND (sp."nudgedAt" IS NULL OR sp."nudgedAt" < ${since})
      ORDER BY u."id" LIMIT ${BATCH}`);
    if (due.length === 0) break;
    const items: DirectItem[] = [];
    for (const row of due) {
      const userId = Number(row.id);
      const reached = readStagesJson(row.stages);
      const next = stages.list.find((s) => !reached.has(s.id));
      if (next) items.push({ userId, kind: "nudge", dedupeKey: `nudge:${userId}:${week}`, content: nudgeContent(deps, stages, next.id), notBefore, respectOptOut: true });
    }
    queued += await enqueueDirect(deps, items);
    // Marked even when the outbox skipped them (opted out, no channel): checked again next week.
    const ids = due.map((r) => Number(r.id));
    await deps.db.$transaction(async (tx) => {
      await tx.sellerProgress.updateMany({ where: { sellerId: { in: ids } }, data: { nudgedAt: now } });
      const existing = new Set((await tx.sellerProgress.findMany({ where: { sellerId: { in: ids } }, select: { sellerId: true } })).map((r) => r.sellerId));
      const missing = ids.filter((id) => !existing.has(id));
      if (missing.length) await tx.sellerProgress.createMany({ data: missing.map((sellerId) => ({ sellerId, nudgedAt: now })) });
    });
    considered += due.length;
    after = ids.at(-1)!;
    if (due.length < BATCH) break;
  }
  return { considered, queued };
}

function nudgeContent(deps: AppDeps, stages: Stages, stageId: string): DirectItem["content"] {
  const stage = stages.byId(stageId)!;
  const per = (f: (lang: Lang) => string) => Object.fromEntries(LANGS.map((l) => [l, f(l)])) as Record<Lang, string>;
  return {
    text: per((l) => deps.i18n.t(l)("progress:nudge.text", { stage: stages.label(stage, l), howTo: stage.howTo[l] })),
    choices: [
      { data: "pg:show", label: per((l) => deps.i18n.t(l)("progress:nudge.open")) },
      { data: `faq:topic:${stage.faqTopic}`, label: per((l) => deps.i18n.t(l)("progress:choice.howTo", { stage: stages.label(stage, l) })) },
    ],
    template: { purpose: "progress-nudge", parameters: { stage: per((l) => stages.label(stage, l)) } },
  };
}

/** The nudge job: one pass at start, then every `intervalMs` (default hourly). */
export function createNudgeJob(deps: AppDeps, stages: Stages, intervalMs = 3600_000): Job & { runOnce(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const runOnce = async () => {
    if (running) return running;
    running = runNudges(deps, stages)
      .then((r) => deps.log.info(r, "progress nudges"))
      .catch((error: unknown) => deps.log.error({ err: error }, "progress nudges failed"))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  return {
    name: "progress-nudges",
    runOnce,
    start() {
      void runOnce();
      timer = setInterval(() => void runOnce(), intervalMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
