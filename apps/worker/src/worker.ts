import { Worker } from 'bullmq';
import {
  createMailer,
  findPendingResetRequestIds,
  JOBS,
  writeSmtpHealth,
  type Config,
  type Logger,
  type Pool,
  type QueueClient,
  type Redis,
} from '@todo/core';
import { processEmailJob } from './processors/email.processor.js';

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  db: Pool;
  /** For commands (health keys); BullMQ workers get their own blocking connection. */
  redis: Redis;
  /** A connection with maxRetriesPerRequest: null, as BullMQ workers require. */
  workerConnection: Redis;
  queue: QueueClient;
  /** How often pending work is re-enqueued from Postgres and SMTP re-checked. Default 60 s. */
  sweepIntervalMs?: number;
}

export interface RunningWorkers {
  /** Stops taking jobs and waits for running ones. */
  close(): Promise<void>;
}

/**
 * Re-enqueues every accepted email still pending in Postgres. Job ids are business keys, so a
 * job that is still in Redis is left alone and only lost ones are added again.
 */
export async function sweepPendingEmails({ db, queue, logger }: Pick<WorkerDeps, 'db' | 'queue' | 'logger'>): Promise<number> {
  const ids = await findPendingResetRequestIds(db);
  for (const requestId of ids) await queue.enqueue(JOBS.passwordResetEmail, { requestId });
  if (ids.length > 0) logger.debug({ count: ids.length }, 'swept pending emails');
  return ids.length;
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { config, logger, db, redis } = deps;
  const mailer = createMailer(config, logger);
  const emailWorker = new Worker('email', (job) => processEmailJob({ db, config, mailer, logger, redis }, job), {
    connection: deps.workerConnection,
    prefix: config.redisKeyPrefix,
    concurrency: 4,
    lockDuration: config.jobLockMs,
    stalledInterval: Math.min(config.jobLockMs, 30_000),
    maxStalledCount: 3,
  });
  emailWorker.on('failed', (job, error) => {
    logger.warn({ queue: 'email', jobId: job?.id, attempt: job?.attemptsMade, reason: error.message }, 'email job failed');
  });
  emailWorker.on('error', (error) => logger.error({ err: error, queue: 'email' }, 'email worker error'));

  const maintain = async () => {
    try {
      await sweepPendingEmails(deps);
      if (mailer.kind === 'smtp') await writeSmtpHealth(redis, config.redisKeyPrefix, await mailer.isReachable());
    } catch (error) {
      logger.warn({ err: error }, 'maintenance sweep failed; next one will retry');
    }
  };
  await maintain();
  const timer = setInterval(() => void maintain(), deps.sweepIntervalMs ?? 60_000);
  timer.unref();
  logger.info({ queues: ['email'], mail: mailer.kind }, 'workers started');

  return {
    async close() {
      clearInterval(timer);
      await emailWorker.close();
      mailer.close();
    },
  };
}
