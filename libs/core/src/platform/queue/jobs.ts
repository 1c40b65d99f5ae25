import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

export const QUEUE_NAMES = ['chat', 'email'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** One kind of job: its queue, name, payload schema, id from a business key, and default options. */
export interface JobDefinition<P> {
  queue: QueueName;
  name: string;
  payload: z.ZodType<P>;
  jobId(payload: P): string;
  options: JobsOptions;
}

/**
 * The catalog of every job. Payloads carry ids only: BullMQ stores job data in clear text and
 * Bull Board shows it, so secrets and content stay in Postgres.
 */
export const JOBS = {
  chatTurn: {
    queue: 'chat',
    name: 'chat-turn',
    payload: z.strictObject({ turnId: z.uuid() }),
    jobId: (p: { turnId: string }) => `turn-${p.turnId}`,
    options: {
      // Retries are for model outages (429, 5xx, timeouts) and crashes; errors that retrying cannot fix fail at once.
      attempts: 5,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  } satisfies JobDefinition<{ turnId: string }>,
  passwordResetEmail: {
    queue: 'email',
    name: 'password-reset-email',
    payload: z.strictObject({ requestId: z.uuid() }),
    jobId: (p: { requestId: string }) => `password-reset-${p.requestId}`,
    options: {
      attempts: 10,
      // The delay is set from EMAIL_RETRY_DELAY_MS when enqueued; 5 s, 10 s, 20 s, ... about 85 min in all,
      // or later when the provider's Retry-After says so (the email worker's custom backoff strategy).
      backoff: { type: 'mail-retry-after', delay: 5_000 },
      removeOnComplete: { age: 24 * 3600, count: 5_000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  } satisfies JobDefinition<{ requestId: string }>,
  emailVerification: {
    queue: 'email',
    name: 'email-verification',
    payload: z.strictObject({ verificationId: z.uuid() }),
    jobId: (p: { verificationId: string }) => `email-verification-${p.verificationId}`,
    options: {
      attempts: 10,
      // Like the reset mail: EMAIL_RETRY_DELAY_MS doubling, never sooner than the provider's Retry-After.
      backoff: { type: 'mail-retry-after', delay: 5_000 },
      removeOnComplete: { age: 24 * 3600, count: 5_000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  } satisfies JobDefinition<{ verificationId: string }>,
};
