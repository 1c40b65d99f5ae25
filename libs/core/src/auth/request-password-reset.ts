import { insertResetRequest } from '../mail/password-reset.repository.js';
import type { Queryable } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { JOBS } from '../platform/queue/jobs.js';
import type { QueueClient } from '../platform/queue/queues.js';
import { findUserByEmail } from '../users/index.js';

export interface RequestPasswordResetDeps {
  db: Queryable;
  queue: Pick<QueueClient, 'enqueue'>;
  logger: Logger;
}

/**
 * Records a reset request for a known email and enqueues its mail; does nothing for an unknown one.
 * The row is the promise: if Redis refuses the job now, the worker's sweep enqueues it later.
 */
export async function requestPasswordReset({ db, queue, logger }: RequestPasswordResetDeps, email: string): Promise<void> {
  const user = await findUserByEmail(db, email);
  if (!user) return;
  const requestId = await insertResetRequest(db, user.id);
  try {
    await queue.enqueue(JOBS.passwordResetEmail, { requestId });
  } catch (error) {
    logger.warn({ err: error, requestId }, 'could not enqueue reset email now; the worker sweep will');
  }
}
