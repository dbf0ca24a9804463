#!/usr/bin/env node
// `npm run db:generate`: writes the PostgreSQL schema twin and generates both Prisma clients
// (src/generated/sqlite, src/generated/postgres). No engine download: see prisma.config.ts.
import { execFileSync } from "node:child_process";

execFileSync(process.execPath, ["scripts/prisma-schemas.mjs"], { stdio: "inherit" });
const schemas = { "prisma/schema": "file:./unused.db", "prisma/postgres/schema": "postgresql://localhost/unused" };
for (const [schema, url] of Object.entries(schemas)) {
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--schema", schema], {
    stdio: "inherit",
    // The schema's url = env("DATABASE_URL") must resolve even though generate never connects.
    env: { ...process.env, PRISMA_SCHEMA: schema, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}
