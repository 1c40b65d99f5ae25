import { insertEmailVerification, isEmailVerified } from '../mail/email-verification.repository.js';
import type { Queryable } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { JOBS } from '../platform/queue/jobs.js';
import type { QueueClient } from '../platform/queue/queues.js';

export interface RequestEmailVerificationDeps {
  db: Queryable;
  queue: Pick<QueueClient, 'enqueue'>;
  logger: Logger;
}

/** Enqueues the mail of a verification row. The row is the promise: if Redis refuses now, the worker's sweep enqueues it. */
export async function enqueueEmailVerification({ queue, logger }: Omit<RequestEmailVerificationDeps, 'db'>, verificationId: string): Promise<void> {
  try {
    await queue.enqueue(JOBS.emailVerification, { verificationId });
  } catch (error) {
    logger.warn({ err: error, verificationId }, 'could not enqueue verification email now; the worker sweep will');
  }
}

/** A new verification mail for a signed-in user whose address is not verified yet. */
export async function requestEmailVerification(deps: RequestEmailVerificationDeps, userId: string): Promise<'queued' | 'already-verified'> {
  if ((await isEmailVerified(deps.db, userId)) !== false) return 'already-verified';
  const verificationId = await insertEmailVerification(deps.db, userId);
  await enqueueEmailVerification(deps, verificationId);
  return 'queued';
}
