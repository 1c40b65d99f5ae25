import { bootProcess, closeRedis, createRedis, onShutdownSignal, runMain, SERVICE_VERSION } from '@todo/core';
import { setTimeout as delay } from 'node:timers/promises';
import { startWorkers, type RunningWorkers } from './worker.js';

/**
 * The worker process: chat turns and email from their queues. It waits for Postgres (retrying,
 * with a log line, instead of exiting) and migrates it, then for Redis, before taking jobs; later
 * outages of either are retried the same way. Shutdown: stop taking jobs, let running ones finish within
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
    // Without Redis a running job can neither finish nor be handed back, and BullMQ's close would
    // wait for a server that may not return (PM2 stops the embedded redis-server together with
    // us). Postgres holds every accepted turn and mail, and the next worker's sweep re-enqueues
    // them, so stop without waiting instead of running into the shutdown deadline.
    const drained = (async () => {
      await workers?.close();
      await queue.close().catch(() => undefined);
    })().then(() => 'drained' as const);
    const outcome = await Promise.race([drained, whenRedisLost(workerConnection).then(() => 'redis lost' as const)]);
    if (outcome === 'redis lost') {
      logger.warn('Redis is unreachable: stopping without waiting for running jobs (Postgres keeps them; the next worker re-runs them)');
      redis.disconnect();
      workerConnection.disconnect();
      await Promise.race([db.end(), delay(2_000)]).catch(() => undefined);
    } else {
      await Promise.allSettled([db.end(), closeRedis(redis), closeRedis(workerConnection)]);
    }
    logger.info('worker stopped');
    process.exit(0);
  });

  await databaseReady;
  logger.info('database ready');
  // BullMQ workers would report every reconnect attempt as an error; start them once Redis answers
  // (until then its client logs one line per 10 s).
  if (workerConnection.status !== 'ready') {
    logger.info('waiting for Redis before taking jobs');
    // Not events.once: it would reject on the connection's first 'error' (each failed attempt).
    await new Promise((resolve) => workerConnection.once('ready', resolve));
  }
  workers = await startWorkers({ config, logger, db, redis, workerConnection, queue });
  logger.info({ env: config.appEnv, version: SERVICE_VERSION, llmProvider: config.llm.provider }, 'worker ready');
}

/** Resolves once `connection` is not connected to Redis: at once if it is not now, else on its next close. */
function whenRedisLost(connection: ReturnType<typeof createRedis>): Promise<void> {
  if (connection.status !== 'ready') return Promise.resolve();
  return new Promise((resolve) => connection.once('close', () => resolve()));
}

runMain('worker', main);
