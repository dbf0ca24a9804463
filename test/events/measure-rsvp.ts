/**
 * Measures RSVP throughput and checks seat safety: 300 concurrent "Going" answers for 200 seats
 * on a fresh test database. Not a test (timings depend on the machine). Run:
 *   npx tsx test/events/measure-rsvp.ts            (SQLite)
 *   TEST_DATABASE=postgres npx tsx test/events/measure-rsvp.ts
 *   SEQ=1 npx tsx test/events/measure-rsvp.ts      (one after another, for comparison)
 */
import pino from "pino";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { rsvpCounts } from "../../src/features/events/api.ts";
import { setRsvp } from "../../src/features/events/rsvp.ts";
import { createTestDatabase } from "../support/database.ts";
import { makeEvent, makeUser } from "./helpers.ts";

const database = await createTestDatabase();
const config = loadConfig({ DATABASE_URL: database.url.startsWith("file:") ? database.url : "postgres://x", LOG_LEVEL: "silent" });
const app = await createApp(config, { database, log: pino({ level: "silent" }) });
const event = await makeEvent(app.deps, { capacity: 200 });
const users = [];
for (let i = 0; i < 300; i++) users.push(await makeUser(app.deps.db));
const t0 = performance.now();
if (process.env.SEQ) { for (const u of users) await setRsvp(app.deps, event.id, u.id, "going"); } else await Promise.all(users.map((u) => setRsvp(app.deps, event.id, u.id, "going")));
const ms = performance.now() - t0;
console.log(database.provider, "300 concurrent Going for 200 seats:", JSON.stringify(await rsvpCounts(app.deps.db, event.id)), `${ms.toFixed(0)} ms (${(300 / (ms / 1000)).toFixed(0)} RSVP/s)`);
await app.close();
await database.cleanup();
