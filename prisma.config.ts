// Prisma CLI configuration (tooling only; the app never loads this file).
// engine "js" + an adapter keeps the CLI from downloading Rust engines, which these
// machines and many locked-down servers cannot reach (docs/decisions/0001-prisma-offline.md).
// PRISMA_SCHEMA picks the SQLite source (default) or its generated PostgreSQL twin.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

const schema = process.env.PRISMA_SCHEMA ?? "prisma/schema";
const url = process.env.DATABASE_URL ?? "file:./data/seller-bot.db";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema,
  async adapter() {
    return schema.includes("postgres") ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url });
  },
});
