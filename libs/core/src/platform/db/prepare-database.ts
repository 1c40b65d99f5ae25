import type { Config } from '../config.js';
import { isDependencyOutage } from '../errors.js';
import type { Logger } from '../logger.js';
import { migrate } from './migrate.js';
import { createPool, ensureDatabaseExists, mayCreateDatabase } from './pool.js';

/** Longest pause between two attempts to reach Postgres: it is noticed within this long once back. */
const MAX_RETRY_DELAY_MS = 2_000;
/** While Postgres stays away, one log line this often is enough. */
const LOG_EVERY_MS = 15_000;

export interface PrepareDatabaseOptions {
  config: Pick<Config, 'appEnv' | 'databaseUrl' | 'isDefaultDatabase'>;
  logger: Logger;
  /** Name shown in pg_stat_activity for the migration connection. */
  applicationName: string;
}

const isOutage = (error: unknown) => isDependencyOutage(error) || (error instanceof Error && isDependencyOutage(error.cause));
const isMissingDatabase = (error: unknown) => (error as { code?: unknown }).code === '3D000';

async function migrateOnce(connectionString: string, logger: Logger, applicationName: string): Promise<number[]> {
  const pool = createPool({ connectionString, max: 1, logger, applicationName });
  try {
    return await migrate(pool, logger);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * Makes the database usable: creates it where `mayCreateDatabase` allows, then applies pending
 * migrations on a connection of its own. While Postgres does not answer it retries with backoff,
 * forever, logging as it goes; resolves with the migrations it applied. Rejects only on what a
 * retry cannot fix (bad credentials, an edited migration, a missing production database).
 */
export async function prepareDatabase({ config, logger, applicationName }: PrepareDatabaseOptions): Promise<number[]> {
  let lastLoggedAt = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrateOnce(config.databaseUrl, logger, applicationName);
      if (attempt > 1) logger.info({ attempt }, 'database reachable again; migrations done');
      return applied;
    } catch (error) {
      if (isMissingDatabase(error) && mayCreateDatabase(config)) {
        await ensureDatabaseExists(config.databaseUrl, logger).catch((createError: unknown) => {
          if (!isOutage(createError)) throw createError;
        });
        continue;
      }
      if (!isOutage(error)) throw error;
      if (Date.now() - lastLoggedAt >= LOG_EVERY_MS) {
        lastLoggedAt = Date.now();
        logger.warn({ err: error, attempt }, 'database not reachable; retrying (requests that need it answer 503 meanwhile)');
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS)));
    }
  }
}
