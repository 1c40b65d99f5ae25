import { Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import { settleWithin } from '../with-timeout.js';
import type { Redis } from '../redis.js';
import { QUEUE_NAMES, type JobDefinition, type QueueName } from './jobs.js';

export type Queues = Record<QueueName, Queue>;

export interface CreateQueuesOptions {
  connection: Redis;
  /** REDIS_KEY_PREFIX: queue keys are <prefix>:<queue>:... */
  prefix: string;
  /** Base delay of each queue's exponential retry backoff (EMAIL_RETRY_DELAY_MS, CHAT_RETRY_DELAY_MS). */
  retryDelayMs: Record<QueueName, number>;
  logger: Logger;
}

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type QueueCounts = Record<(typeof QUEUE_STATES)[number], number>;

/** Job counts by state for every queue; null for a queue whose Redis did not answer within `timeoutMs`. */
export async function readQueueCounts(queues: Queues, timeoutMs: number): Promise<Record<string, QueueCounts | null>> {
  const entries = await Promise.all(
    Object.entries(queues).map(async ([name, queue]) => {
      const counts = await settleWithin(queue.getJobCounts(...QUEUE_STATES), timeoutMs, null);
      return [name, counts && (Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0])) as QueueCounts)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export interface QueueClient {
  queues: Queues;
  /** Adds a job under its business-key id; adding an id that exists is a no-op, so enqueueing is idempotent. */
  enqueue<P>(job: JobDefinition<P>, payload: P): Promise<void>;
  close(): Promise<void>;
}

export function createQueueClient({ connection, prefix, retryDelayMs, logger }: CreateQueuesOptions): QueueClient {
  let lastLoggedAt = 0;
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => {
      const queue = new Queue(name, { connection, prefix });
      // Without a listener BullMQ prints each connection error to the console; one log line per 10 s is enough.
      queue.on('error', (error) => {
        if (Date.now() - lastLoggedAt < 10_000) return;
        lastLoggedAt = Date.now();
        logger.error({ err: error, queue: name }, 'queue connection error');
      });
      return [name, queue];
    }),
  ) as Queues;
  return {
    queues,
    async enqueue(job, payload) {
      const data = job.payload.parse(payload);
      const backoff =
        typeof job.options.backoff === 'object' ? { ...job.options.backoff, delay: retryDelayMs[job.queue] } : job.options.backoff;
      await queues[job.queue].add(job.name, data, { ...job.options, backoff, jobId: job.jobId(data) });
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}

/** The per-queue retry delays configured in the environment. */
export function retryDelaysFrom(config: { chatRetryDelayMs: number; emailRetryDelayMs: number }): Record<QueueName, number> {
  return { chat: config.chatRetryDelayMs, email: config.emailRetryDelayMs };
}
