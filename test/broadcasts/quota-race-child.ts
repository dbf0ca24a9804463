/**
 * One process of the quota race (test/broadcasts/quota.test.ts): opens the database given
 * in DATABASE_URL, prints "ready", waits for "go" on stdin, then for each `SENDER:PARTNER`
 * argument in turn creates a broadcast from that user to that partner's audience, and
 * prints the outcomes as one JSON array.
 */
import { createInterface } from "node:readline";
import pino from "pino";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { UserFacingError } from "../../src/core/errors.ts";
import { createBroadcast } from "../../src/features/broadcasts/api.ts";

const pairs = process.argv.slice(2).map((a) => a.split(":").map(Number) as [number, number]);
const app = await createApp(loadConfig(), { log: pino({ level: "silent" }) });
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
for await (const line of lines) {
  if (line.trim() !== "go") continue;
  const outcomes: Array<Record<string, unknown>> = [];
  for (const [senderUserId, partnerId] of pairs) {
    try {
      const result = await createBroadcast(app.deps, {
        senderUserId,
        audience: { kind: "partner", partnerId },
        topic: "events",
        content: { text: { en: "Summit on 20 Dec", ur: "Summit on 20 Dec", "ur-Latn": "Summit on 20 Dec" } },
      });
      outcomes.push({ partnerId, ok: true, recipients: result.recipients });
    } catch (error) {
      const reason = error instanceof UserFacingError ? { key: error.key } : { error: String((error as Error).message).split("\n").slice(0, 3).join(" ") };
      outcomes.push({ partnerId, ok: false, ...reason });
    }
  }
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
  break;
}
lines.close();
await app.close();
