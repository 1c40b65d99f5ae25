import { bootProcess, closeRedis, createRedis, onShutdownSignal, runMain, SERVICE_VERSION } from '@todo/core';
import { startWorkers, type RunningWorkers } from './worker.js';

/**
 * The worker process: chat turns and email from their queues. It waits for Postgres (retrying,
 * with a log line, instead of exiting) and migrates it before taking jobs; BullMQ connects to Redis
 * whenever Redis answers. Shutdown: stop taking jobs, let running ones finish within
 * SHUTDOWN_TIMEOUT_MS (BullMQ hands back anything cut short once its lock expires), then close
 * connections.
 */
async function main(): Promise<void> {
  const { config, logger, db, databaseReady, redis, queue } = bootProcess({
    name: 'worker',
    // Every running chat turn and email job may hold a connection; below that, jobs would queue for one.
    poolMax: (c) => Math.max(c.databasePoolMax, c.chatConcurrency + 6),
  });
  const workerConnection = createRedis({ url: config.redisUrl, logger, name: 'worker-jobs', maxRetriesPerRequest: null });
  let workers: RunningWorkers | undefined;

  onShutdownSignal(logger, config.shutdownTimeoutMs, async (signal) => {
    logger.info({ signal }, 'worker shutting down: finishing running jobs');
    await workers?.close();
    await queue.close().catch(() => undefined);
    await Promise.allSettled([db.end(), closeRedis(redis), closeRedis(workerConnection)]);
    logger.info('worker stopped');
    process.exit(0);
  });

  await databaseReady;
  logger.info('database ready');
  workers = await startWorkers({ config, logger, db, redis, workerConnection, queue });
  logger.info({ env: config.appEnv, version: SERVICE_VERSION, llmProvider: config.llm.provider }, 'worker ready');
}

runMain('worker', main);
