/**
 * The spreadsheet export: one row per seller with the furthest stage, each stage's date,
 * the partner and the last change. CSV (RFC 4180, formula-safe) or JSON.
 */
import { csvCell } from "../../core/csv.ts";
import type { Db } from "../../db/client.ts";
import { exportRows, type Scope } from "./queries.ts";
import type { Stages } from "./stages.ts";
import { readStagesJson } from "./store.ts";

/** One exported seller. */
export interface ExportRecord {
  sellerId: number;
  name: string;
  city: string;
  partnerId: number | null;
  partner: string;
  currentStage: string;
  stagesReached: number;
  lastChangeAt: string;
  /** stage id → ISO date reached, "" when not reached */
  stages: Record<string, string>;
}

/** Streams the export records of a scope. */
export async function* exportRecords(db: Db, stages: Stages, scope: Scope): AsyncGenerator<ExportRecord> {
  for await (const row of exportRows(db, scope)) {
    const reached = readStagesJson(row.stages);
    yield {
      sellerId: row.id,
      name: row.name ?? "",
      city: row.city ?? "",
      partnerId: row.partnerId,
      partner: row.partnerName ?? "",
      currentStage: row.currentIndex >= 0 ? (stages.list[row.currentIndex]?.id ?? "") : "",
      stagesReached: row.reachedCount,
      lastChangeAt: row.lastChangeAt ? row.lastChangeAt.toISOString() : "",
      stages: Object.fromEntries(stages.list.map((s) => [s.id, reached.get(s.id)?.toISOString() ?? ""])),
    };
  }
}

/** The CSV header for the current stages. */
export function csvHeader(stages: Stages): string {
  return ["seller_id", "name", "city", "partner_id", "partner", "current_stage", "stages_reached", ...stages.list.map((s) => `${s.id}_at`), "last_change_at"].join(",");
}

/** One CSV line. */
export function csvLine(r: ExportRecord, stages: Stages): string {
  return [r.sellerId, r.name, r.city, r.partnerId ?? "", r.partner, r.currentStage, r.stagesReached, ...stages.list.map((s) => r.stages[s.id] ?? ""), r.lastChangeAt].map(csvCell).join(",");
}

