import { createRedis } from '@todo/core';
import { startWorkers, type RunningWorkers, type WorkerDeps } from '../../apps/worker/src/worker.js';
import type { TestApp } from './test-app.js';

/** The real worker code (startWorkers) in this process, sharing the test app's config and database. */
export async function startTestWorker(app: TestApp, options: Pick<WorkerDeps, 'sweepIntervalMs' | 'model'> = {}): Promise<RunningWorkers> {
  const logger = app.logger.child({ name: 'worker' });
  const redis = createRedis({ url: app.config.redisUrl, logger, name: 'test-worker' });
  const workerConnection = createRedis({ url: app.config.redisUrl, logger, name: 'test-worker-jobs', maxRetriesPerRequest: null });
  const workers = await startWorkers({ config: app.config, logger, db: app.db, redis, workerConnection, queue: app.queue, ...options });
  return {
    async close() {
      await workers.close();
      await Promise.allSettled([redis.quit(), workerConnection.quit()]);
    },
  };
}
