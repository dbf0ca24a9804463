/**
 * Writing and reading progress. Every change appends ProgressEvent rows and rewrites the
 * seller's SellerProgress row in the same transaction; the row is a pure function of the
 * events (folded under a row lock), so it can never drift from the history.
 */
import { z } from "zod";
import type { AppDeps } from "../../core/context.ts";
import type { Db } from "../../db/client.ts";
import type { Stages } from "./stages.ts";

/** Who made a change. */
export type Source = "seller" | "partner" | "admin";

/** JSON stored in SellerProgress.stages: stage id → ISO date reached. */
const stagesJson = z.record(z.string(), z.iso.datetime({ offset: true }));

/** A seller's checklist as the feature uses it. */
export interface ProgressState {
  sellerId: number;
  /** stage id → date reached */
  reached: Map<string, Date>;
  currentIndex: number;
  lastChangeAt: Date | null;
}

/** What a change request asks for. */
export type Change =
  | { kind: "tick"; stageIds: string[]; count?: number }
  /** `stageId` undefined: the seller's latest tick that still counts. */
  | { kind: "undo"; stageId?: string };

/** The outcome; on `ok: false` nothing was written. */
export type ChangeResult =
  | { ok: true; state: ProgressState; changed: string[] }
  | { ok: false; reason: "unknown-stage" | "already-reached" | "not-reached" | "nothing-to-undo" };

/** Reads the current checklist (an empty one when the seller never changed anything). */
export async function readProgress(db: Db, sellerId: number): Promise<ProgressState> {
  const row = await db.sellerProgress.findUnique({ where: { sellerId } });
  return row ? toState(row) : { sellerId, reached: new Map(), currentIndex: -1, lastChangeAt: null };
}

function toState(row: { sellerId: number; stages: string; currentIndex: number; lastChangeAt: Date | null }): ProgressState {
  return { sellerId: row.sellerId, reached: readStagesJson(row.stages), currentIndex: row.currentIndex, lastChangeAt: row.lastChangeAt };
}

/** Parses SellerProgress.stages; JSON read back from the database is validated like any input (bad → empty). */
export function readStagesJson(text: string | null | undefined): Map<string, Date> {
  const parsed = stagesJson.safeParse(safeJson(text ?? "{}"));
  return new Map(Object.entries(parsed.success ? parsed.data : {}).map(([k, v]) => [k, new Date(v)]));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Applies a tick or an undo for one seller. Unknown stages, ticking a reached stage and
 * undoing an unreached one are refused with nothing written.
 */
export async function applyChange(
  deps: Pick<AppDeps, "db" | "now">,
  stages: Stages,
  input: { sellerId: number; source: Source; actorId: number | null; change: Change },
): Promise<ChangeResult> {
  const { sellerId, source, actorId, change } = input;
  if (change.kind === "tick" && (change.stageIds.length === 0 || change.stageIds.some((id) => !stages.byId(id)))) return { ok: false, reason: "unknown-stage" };
  if (change.kind === "undo" && change.stageId !== undefined && !stages.byId(change.stageId)) return { ok: false, reason: "unknown-stage" };
  const now = deps.now();
  try {
    return await changeInTransaction(deps, stages, { sellerId, source, actorId, change, now });
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** Thrown inside the transaction so a refused change rolls back the row lock's upsert too. */
class Refused extends Error {
  constructor(readonly reason: Extract<ChangeResult, { ok: false }>["reason"]) {
    super(reason);
  }
}

async function changeInTransaction(
  deps: Pick<AppDeps, "db" | "now">,
  stages: Stages,
  { sellerId, source, actorId, change, now }: { sellerId: number; source: Source; actorId: number | null; change: Change; now: Date },
): Promise<ChangeResult> {
  return deps.db.$transaction(async (tx) => {
    // Lock the seller's row first (PostgreSQL row lock; SQLite has one writer) so two
    // concurrent changes fold each other's events instead of overwriting them.
    await tx.sellerProgress.upsert({ where: { sellerId }, create: { sellerId }, update: { updatedAt: now } });
    const before = fold(await tx.progressEvent.findMany({ where: { sellerId }, orderBy: { id: "asc" }, select: { stageId: true, action: true, createdAt: true } }));
    let rows: Array<{ stageId: string; action: string; count?: number }>;
    if (change.kind === "tick") {
      const fresh = change.stageIds.filter((id) => !before.has(id));
      if (fresh.length === 0) throw new Refused("already-reached");
      rows = fresh.map((stageId) => ({ stageId, action: "tick", count: change.count }));
    } else {
      const target = change.stageId ?? (await latestEffectiveTick(tx as unknown as Db, sellerId, before));
      if (!target) throw new Refused("nothing-to-undo");
      if (!before.has(target)) throw new Refused("not-reached");
      rows = [{ stageId: target, action: "undo" }];
    }
    await tx.progressEvent.createMany({ data: rows.map((r) => ({ sellerId, stageId: r.stageId, action: r.action, source, actorId, count: r.count ?? null, createdAt: now })) });
    const after = new Map(before);
    for (const r of rows) {
      if (r.action === "tick") after.set(r.stageId, now);
      else after.delete(r.stageId);
    }
    const state = stateFields(stages, after);
    await tx.sellerProgress.update({ where: { sellerId }, data: { ...state, lastChangeAt: now } });
    return { ok: true, changed: rows.map((r) => r.stageId), state: { sellerId, reached: after, currentIndex: state.currentIndex, lastChangeAt: now } } as const;
  });
}

/** Replays history: the reached stages with their dates. */
export function fold(events: Array<{ stageId: string; action: string; createdAt: Date }>): Map<string, Date> {
  const reached = new Map<string, Date>();
  for (const e of events) {
    if (e.action === "tick") reached.set(e.stageId, e.createdAt);
    else if (e.action === "undo") reached.delete(e.stageId);
  }
  return reached;
}

/** The denormalised columns for a set of reached stages. */
export function stateFields(stages: Stages, reached: Map<string, Date>) {
  const known = stages.list.filter((s) => reached.has(s.id));
  return {
    stages: JSON.stringify(Object.fromEntries([...reached].map(([id, at]) => [id, at.toISOString()]))),
    reachedCount: known.length,
    currentIndex: known.length ? Math.max(...known.map((s) => s.index)) : -1,
  };
}

async function latestEffectiveTick(db: Db, sellerId: number, reached: Map<string, Date>): Promise<string | undefined> {
  const ticks = await db.progressEvent.findMany({ where: { sellerId, action: "tick" }, orderBy: { id: "desc" }, take: 50, select: { stageId: true } });
  return ticks.find((t) => reached.has(t.stageId))?.stageId;
}

/** The seller's history, newest first. */
export async function history(db: Db, sellerId: number, limit = 10) {
  return db.progressEvent.findMany({ where: { sellerId }, orderBy: { id: "desc" }, take: limit });
}

/** The first stage not reached yet (the next step), or undefined when all are done. */
export function nextStage(stages: Stages, state: ProgressState) {
  return stages.list.find((s) => !state.reached.has(s.id));
}
