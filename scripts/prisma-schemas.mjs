#!/usr/bin/env node
// Writes the PostgreSQL twin of prisma/schema/ into prisma/postgres/schema/.
// Why: a Prisma schema names one provider, and a client generated for SQLite refuses the
// PostgreSQL driver adapter. The model files stay the one source of truth; only the
// generator output and the datasource provider differ. The output is not committed.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const source = "prisma/schema";
const target = "prisma/postgres/schema";
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const file of readdirSync(source).filter((f) => f.endsWith(".prisma"))) {
  let text = readFileSync(join(source, file), "utf8");
  if (file === "base.prisma") {
    text = text
      .replace('provider = "sqlite"', 'provider = "postgresql"')
      .replace('"../../src/generated/sqlite"', '"../../../src/generated/postgres"');
    if (!text.includes('"postgresql"')) throw new Error("base.prisma: could not switch provider");
  }
  writeFileSync(join(target, file), `// GENERATED from prisma/schema/${file} by scripts/prisma-schemas.mjs; do not edit.\n${text}`);
}
