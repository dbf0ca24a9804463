/**
 * `npm run bench:reliability`: the inbound reliability figures of docs/reliability.md, each
 * against the real `seller-bot start` and the fake Bot API:
 * - SIGKILL during a burst (300 users, 3 kills), on SQLite and on PostgreSQL;
 * - PostgreSQL silent for 15 s behind a TCP proxy (health, answers after, outbox, SIGTERM);
 * - 5 % 429 and 5 % 500 on sendMessage for 1,000 users.
 * Each prints one line and its JSON; the exit code is 1 if any failed its targets.
 *
 *   npm run bench:reliability [-- --postgres postgresql://postgres@127.0.0.1:5432/test]
 */
import { parseArgs } from "node:util";
import { runInboundCrash } from "./inbound-reliability.ts";
import { runPostgresStall } from "./postgres-stall.ts";
import { runReplyFaults } from "./reply-faults.ts";

const { values } = parseArgs({ options: { postgres: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/test" } } });
const log = (line: string) => process.stderr.write(`  ${line}\n`);
let failed = false;
for (const database of ["sqlite", values.postgres!]) {
  const r = await runInboundCrash({ users: 300, kills: 3, seed: 1, database, log });
  console.log(
    `SIGKILL ×${r.kills.length} during a burst of ${r.users} /start (${database === "sqlite" ? "SQLite" : "PostgreSQL"}): answered ${r.answered}, lost ${r.lost}, ` +
      `duplicated ${r.duplicated} (≤ ${r.inFlightAtKills} in flight at the kills), apologies ${r.apologies}, all answered after ${(r.allAnsweredMs / 1000).toFixed(1)} s ${r.pass ? "PASS" : "FAIL"}`,
  );
  failed ||= !r.pass;
}
const stall = await runPostgresStall({ database: values.postgres!, stallMs: 15_000, recipients: 200, users: 20, log });
console.log(
  `PostgreSQL silent ${(stall.stallMs / 1000).toFixed(1)} s: /health 503 after ${stall.health.first503AfterMs} ms (slowest answer ${stall.health.slowestAnswerMs} ms); ` +
    `${stall.duringStall.answered}/${stall.duringStall.users} written during it answered ≤ ${stall.duringStall.lastAnsweredAfterResumeMs} ms after; ` +
    `outbox finished ${stall.outbox.finishedAfterResumeMs} ms after (${stall.outbox.sentAfter}/${stall.outbox.recipients}, ${stall.outbox.duplicates} duplicates); SIGTERM in a stall: exit after ${stall.sigterm.exitMs} ms ${stall.pass ? "PASS" : "FAIL"}`,
);
failed ||= !stall.pass;
const faults = await runReplyFaults({ users: 1000, p429: 0.05, p500: 0.05, database: "sqlite" });
console.log(
  `1,000 /start with 5 % 429 + 5 % 500 on sendMessage: ${faults.realAnswer} real answers, ${faults.apology} apologies, ${faults.nothing} unanswered, ${faults.duplicated} extra ${faults.pass ? "PASS" : "FAIL"}`,
);
failed ||= !faults.pass;
if (failed) process.exitCode = 1;
