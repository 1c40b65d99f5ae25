import { Worker, type Job, type Processor } from 'bullmq';
import {
  createChatModel,
  createMetricsRecorder,
  createMailer,
  findHeadTurnIds,
  findPendingResetRequestIds,
  JOBS,
  writeSmtpHealth,
  type ChatModel,
  type Config,
  type Logger,
  type QueueName,
  type Pool,
  type QueueClient,
  type Redis,
} from '@todo/core';
import { processChatTurnJob } from './processors/chat-turn.processor.js';
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
  /** How often pending work is re-enqueued from Postgres and SMTP re-checked. Default 30 s. */
  sweepIntervalMs?: number;
  /** The model provider; by default the one the config selects. */
  model?: ChatModel;
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

/**
 * Makes sure the oldest unfinished turn of every conversation has a job: after a Redis restart,
 * or a crash between a turn's end and the enqueue of the next one, this is what resumes them.
 */
export async function sweepPendingTurns({ db, queue, logger }: Pick<WorkerDeps, 'db' | 'queue' | 'logger'>): Promise<number> {
  const ids = await findHeadTurnIds(db);
  for (const turnId of ids) await queue.enqueue(JOBS.chatTurn, { turnId });
  if (ids.length > 0) logger.debug({ count: ids.length }, 'swept pending turns');
  return ids.length;
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { config, logger, db, redis } = deps;
  const mailer = createMailer(config, logger);
  const model = deps.model ?? createChatModel(config);
  const metrics = createMetricsRecorder(redis, config.redisKeyPrefix);
  /** A BullMQ worker with the hygiene every queue gets: lock and stall settings, listeners, metrics. */
  const startQueueWorker = (queue: QueueName, concurrency: number, processor: Processor) => {
    const worker = new Worker(queue, processor, {
      connection: deps.workerConnection,
      prefix: config.redisKeyPrefix,
      concurrency,
      lockDuration: config.jobLockMs,
      stalledInterval: Math.min(config.jobLockMs, 30_000),
      maxStalledCount: 3,
    });
    const observe = (job: Job | undefined, outcome: 'completed' | 'failed') => {
      if (job?.processedOn && job.finishedOn) metrics.jobFinished(queue, outcome, (job.finishedOn - job.processedOn) / 1000);
    };
    worker.on('completed', (job) => observe(job, 'completed'));
    worker.on('failed', (job, error) => {
      observe(job, 'failed');
      logger.warn({ queue, jobId: job?.id, attempt: job?.attemptsMade, reason: error.message }, 'job failed');
    });
    worker.on('error', (error) => logger.error({ err: error, queue }, 'worker error'));
    return worker;
  };
  const chatWorker = startQueueWorker('chat', config.chatConcurrency, (job, token) =>
    processChatTurnJob({ db, redis, queue: deps.queue, model, config, logger, metrics }, job, token),
  );
  const emailWorker = startQueueWorker('email', 4, (job) => processEmailJob({ db, config, mailer, logger, redis, metrics }, job));

  const maintain = async () => {
    try {
      await sweepPendingTurns(deps);
      await sweepPendingEmails(deps);
      if (mailer.kind === 'smtp') await writeSmtpHealth(redis, config.redisKeyPrefix, await mailer.isReachable());
    } catch (error) {
      logger.warn({ err: error }, 'maintenance sweep failed; next one will retry');
    }
  };
  await maintain();
  const timer = setInterval(() => void maintain(), deps.sweepIntervalMs ?? 30_000);
  timer.unref();
  logger.info({ queues: ['chat', 'email'], mail: mailer.kind, model: model.name, chatConcurrency: config.chatConcurrency }, 'workers started');

  return {
    async close() {
      clearInterval(timer);
      await Promise.all([chatWorker.close(), emailWorker.close()]);
      mailer.close();
    },
  };
}
