import { Queue } from 'bullmq';
import type { Redis } from '../redis.js';
import { QUEUE_NAMES, type JobDefinition, type QueueName } from './jobs.js';

export type Queues = Record<QueueName, Queue>;

export interface CreateQueuesOptions {
  connection: Redis;
  /** REDIS_KEY_PREFIX: queue keys are <prefix>:<queue>:... */
  prefix: string;
  /** Base delay of exponential retry backoff, from EMAIL_RETRY_DELAY_MS. */
  retryDelayMs: number;
}

export interface QueueClient {
  queues: Queues;
  /** Adds a job under its business-key id; adding an id that exists is a no-op, so enqueueing is idempotent. */
  enqueue<P>(job: JobDefinition<P>, payload: P): Promise<void>;
  close(): Promise<void>;
}

export function createQueueClient({ connection, prefix, retryDelayMs }: CreateQueuesOptions): QueueClient {
  const queues = Object.fromEntries(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })])) as Queues;
  return {
    queues,
    async enqueue(job, payload) {
      const data = job.payload.parse(payload);
      const backoff = typeof job.options.backoff === 'object' ? { ...job.options.backoff, delay: retryDelayMs } : job.options.backoff;
      await queues[job.queue].add(job.name, data, { ...job.options, backoff, jobId: job.jobId(data) });
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
