/** Once per run: a run id so parallel runs (SQLite and PostgreSQL in CI) never collide. */
import { randomBytes } from "node:crypto";

export default function setup() {
  process.env.TEST_RUN_ID ??= randomBytes(3).toString("hex");
}
