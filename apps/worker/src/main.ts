import { readFileSync } from 'node:fs';
import {
  ConfigError,
  createLogger,
  createPool,
  createQueueClient,
  retryDelaysFrom,
  createRedis,
  ensureDatabaseExists,
  loadConfig,
  migrate,
} from '@todo/core';
import { startWorkers } from './worker.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The worker process: chat turns and email from their queues. Shutdown: stop taking jobs, let
 * running ones finish within SHUTDOWN_TIMEOUT_MS (BullMQ hands back anything cut short once its
 * lock expires), then close connections.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, version);
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  if (config.isDefaultDatabase) await ensureDatabaseExists(config.databaseUrl, logger);
  // Every running chat turn and email job may hold a connection; below that, jobs would queue for one.
  const poolMax = Math.max(config.databasePoolMax, config.chatConcurrency + 6);
  const db = createPool({ connectionString: config.databaseUrl, max: poolMax, logger, applicationName: 'todo-worker' });
  await migrate(db, logger);
  const redis = createRedis({ url: config.redisUrl, logger, name: 'worker' });
  const workerConnection = createRedis({ url: config.redisUrl, logger, name: 'worker-jobs', maxRetriesPerRequest: null });
  const queue = createQueueClient({ connection: redis, prefix: config.redisKeyPrefix, retryDelayMs: retryDelaysFrom(config), logger });
  const workers = await startWorkers({ config, logger, db, redis, workerConnection, queue });
  logger.info({ env: config.appEnv, version, llmProvider: config.llm.provider }, 'worker ready');

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'worker shutting down: finishing running jobs');
    const forced = setTimeout(() => {
      logger.error('worker shutdown timed out; exiting (unfinished jobs are retried after their lock expires)');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    forced.unref();
    await workers.close();
    await queue.close().catch(() => undefined);
    await Promise.allSettled([db.end(), redis.quit(), workerConnection.quit()]);
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
