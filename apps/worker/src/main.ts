import { readFileSync } from 'node:fs';
import { ConfigError, createLogger, createPool, createRedis, ensureDatabaseExists, loadConfig, migrate } from '@todo/core';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The worker process. It owns the background work (chat turns, email) and, like the API,
 * brings the schema up to date at start. Shutdown: stop taking work, finish what runs, close connections.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, version);
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  if (config.isDefaultDatabase) await ensureDatabaseExists(config.databaseUrl, logger);
  const db = createPool({ connectionString: config.databaseUrl, max: config.databasePoolMax, logger, applicationName: 'todo-worker' });
  await migrate(db, logger);
  const redis = createRedis({ url: config.redisUrl, logger, name: 'worker', maxRetriesPerRequest: null });
  await redis.ping();
  logger.info({ env: config.appEnv, version, llmProvider: config.llm.provider }, 'worker ready');

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'worker shutting down');
    const forced = setTimeout(() => {
      logger.error('worker shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    forced.unref();
    await Promise.allSettled([db.end(), redis.quit()]);
    logger.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`worker failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
