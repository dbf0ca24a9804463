/**
 * Wiring: configuration → database → i18n → messenger → features → core.
 * Commands build on this; channels are added by `start`/`chat` (src/cli/run.ts).
 */
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { AppDeps, Feature } from "./core/context.ts";
import type { Understander } from "./core/understanding.ts";
import { createCore, type Core } from "./core/engine.ts";
import { createMessenger } from "./core/messenger.ts";
import { syncAdmins } from "./core/users.ts";
import { openConfiguredDatabase, type Database } from "./db/client.ts";
import { createPacer, paceSettings, systemClock } from "./features/broadcasts/pacer.ts";
import { createKnowledgeLoader } from "./features/faq/index.ts";
import type { KnowledgeBase } from "./features/faq/knowledge.ts";
import { createFeatures } from "./features/index.ts";
import { createI18n } from "./i18n/index.ts";
import { createLogger } from "./logger.ts";
import { cachedLexicons } from "./understanding/build-cache.ts";
import { understandingDir } from "./understanding/lexicon.ts";
import { createContentUnderstander, lazyUnderstander } from "./understanding/wiring.ts";

/** A wired application, not yet receiving messages. */
export interface App {
  deps: AppDeps;
  core: Core;
  features: Feature[];
  /** The understanding step the core uses (a second core in tests shares it). */
  understander: Understander;
  /** True when this start created the embedded database and added the sample data. */
  seeded: boolean;
  close(): Promise<void>;
}

/** How to build the app. */
export interface AppOptions {
  /** Apply pending migrations (default: yes on SQLite, no on PostgreSQL). */
  migrate?: boolean;
  /** Add sample data if this opens a brand-new embedded database (the local chat only). */
  seedIfNew?: boolean;
  /** Add the sample data now unless the database has sample rows already (`--samples`). */
  samples?: boolean;
  /**
   * Apply SELLER_BOT_ADMINS to the users table (grant and revoke). Default: with `seedIfNew`,
   * i.e. in `start`/`chat`, the processes that answer people; one-off commands leave roles
   * alone (an operator's shell may not carry the bot's environment).
   */
  syncAdmins?: boolean;
  log?: Logger;
  /** An already open database (tests); the app does not close it. */
  database?: Database;
  now?: () => Date;
}

/** Builds the application from a configuration. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config);
  const database =
    options.database ??
    (await openConfiguredDatabase(config.database, { migrate: options.migrate }));
  const i18n = createI18n();
  // One pacer per process: replies and announcements take the same (shared) permits.
  const pacer = createPacer(paceSettings(config), systemClock, Math.random, database.limits);
  const messenger = createMessenger({ hot: database.hot, i18n, permits: pacer });
  const deps: AppDeps = { config, database, db: database.prisma, i18n, log, messenger, pacer, now: options.now ?? (() => new Date()) };
  const knowledge = createKnowledgeLoader(config.contentDir);
  const features = createFeatures(deps, { knowledge });
  // A bad lexicon file stops the start with the file and field; the rest is built in the
  // background once the app is up (warmInBackground), or on the first message.
  cachedLexicons(understandingDir(config.contentDir));
  const understander = lazyUnderstander(() => {
    let kb: KnowledgeBase | null = null;
    try {
      kb = knowledge();
    } catch (error) {
      log.error({ err: error }, "FAQ content could not be loaded: understanding messages without it");
    }
    return createContentUnderstander(config.contentDir, kb);
  });
  const core = createCore(deps, features, { understander });
  if (options.syncAdmins ?? options.seedIfNew) {
    const { granted, revoked } = await syncAdmins(database.prisma, config.admins);
    if (granted || revoked) log.info({ granted, revoked }, "admin roles follow SELLER_BOT_ADMINS");
  }
  const seeded = options.samples
    ? (await database.prisma.partner.count({ where: { isSample: true } })) + (await database.prisma.event.count({ where: { isSample: true } })) === 0
    : Boolean(options.seedIfNew && database.provider === "sqlite" && database.migration.wasEmpty);
  if (seeded) {
    for (const feature of features) await feature.seed?.();
    log.info("sample data added");
  }
  return {
    deps,
    core,
    features,
    understander,
    seeded,
    close: async () => {
      if (!options.database) await database.close();
    },
  };
}
