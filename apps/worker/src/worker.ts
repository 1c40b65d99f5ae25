import { Worker, type Job, type Processor, type WorkerOptions } from 'bullmq';
import {
  createChatModel,
  createMetricsRecorder,
  createMailer,
  failExhaustedTurn,
  findHeadTurnIds,
  findPendingMailTokenIds,
  JOBS,
  MAIL_BACKOFF_TYPE,
  mailRetryDelayMs,
  writeMailHealth,
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
 * Enqueues again, from Postgres, the work that should have a job: every accepted email still
 * pending, and the oldest unfinished turn of every conversation (after a Redis restart, or a crash
 * between a turn's end and the enqueue of the next). Job ids are business keys, so a job still in
 * Redis is left alone and only lost ones are added again.
 */
export async function sweepPendingWork(deps: Pick<WorkerDeps, 'db' | 'redis' | 'queue' | 'config' | 'logger'>): Promise<void> {
  const { db, queue, logger } = deps;
  const turnIds = await findHeadTurnIds(db);
  for (const turnId of turnIds) {
    // A job that ran out of attempts is kept (as failed) under the turn's job id, so enqueueing
    // it again would do nothing, and the turn, with every later turn of its conversation behind
    // it, would never run: such a turn is recorded failed, and the next one enqueued.
    const jobId = JOBS.chatTurn.jobId({ turnId });
    if ((await queue.queues.chat.getJobState(jobId)) === 'failed') {
      if (await failExhaustedTurn(deps, turnId)) logger.warn({ turnId, jobId }, 'turn failed: its job ran out of attempts before the turn could end');
      continue;
    }
    await queue.enqueue(JOBS.chatTurn, { turnId });
  }
  const requestIds = await findPendingMailTokenIds(db, 'password-reset');
  for (const requestId of requestIds) await queue.enqueue(JOBS.passwordResetEmail, { requestId });
  const verificationIds = await findPendingMailTokenIds(db, 'email-verification');
  for (const verificationId of verificationIds) await queue.enqueue(JOBS.emailVerification, { verificationId });
  const emails = requestIds.length + verificationIds.length;
  if (turnIds.length + emails > 0) logger.debug({ turns: turnIds.length, emails }, 'swept pending work');
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { config, logger, db, redis } = deps;
  const mailer = createMailer(config, logger);
  const model = deps.model ?? createChatModel(config);
  const metrics = createMetricsRecorder(redis, config.redisKeyPrefix);
  /** A BullMQ worker with the hygiene every queue gets: lock and stall settings, listeners, metrics. */
  const startQueueWorker = (queue: QueueName, concurrency: number, processor: Processor, settings?: WorkerOptions['settings']) => {
    const worker = new Worker(queue, processor, {
      settings,
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
  const emailWorker = startQueueWorker('email', 4, (job) => processEmailJob({ db, config, mailer, logger, redis, metrics }, job), {
    backoffStrategy: (attemptsMade, type, error, job) => {
      if (type !== MAIL_BACKOFF_TYPE) throw new Error(`unknown backoff strategy ${type}`);
      return mailRetryDelayMs(attemptsMade, job?.opts.backoff && typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? config.emailRetryDelayMs) : config.emailRetryDelayMs, error);
    },
  });

  const maintain = async () => {
    try {
      await sweepPendingWork(deps);
      if (mailer.kind !== 'outbox') await writeMailHealth(redis, config.redisKeyPrefix, { transport: mailer.kind, ...(await mailer.check()) });
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
