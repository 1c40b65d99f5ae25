import type { Config } from '../platform/config.js';
import { withTransaction, type Pool } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { JOBS } from '../platform/queue/jobs.js';
import type { QueueClient } from '../platform/queue/queues.js';
import type { Redis } from '../platform/redis.js';
import { accountKey } from './auth-rate-limits.js';
import { checkCurrentPassword } from './check-current-password.js';
import { purgeUserKeys } from './purge-user-keys.js';

export interface DeleteAccountDeps {
  db: Pool;
  redis: Redis;
  queue: Pick<QueueClient, 'queues'>;
  config: Config;
  logger: Logger;
}

interface OwnedIds {
  turnIds: string[];
  resetRequestIds: string[];
  verificationIds: string[];
}

/**
 * Deletes the user and everything of theirs, after checking their password. Postgres first, in
 * one transaction: the user row is locked (waiting for any write that references it, such as a
 * running turn's tool call) and deleted, and the foreign keys cascade to tasks, conversations,
 * messages, turns, refresh and API tokens, reset and verification rows. From then on any write of
 * a running turn fails on those keys, so it stores nothing. Then Redis: queued jobs, turn event
 * streams, counters and per-user keys. A job already running cannot be removed here; the worker
 * drops it when it finds its turn or mail row gone.
 */
export async function deleteAccount(deps: DeleteAccountDeps, userId: string, password: string): Promise<void> {
  const { db, redis, queue, config, logger } = deps;
  const user = await checkCurrentPassword(db, userId, password, 'password');
  const owned = await withTransaction(db, async (tx): Promise<OwnedIds> => {
    await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
    const ids = async (sql: string) => (await tx.query<{ id: string }>(sql, [userId])).rows.map((r) => r.id);
    const owned = {
      turnIds: await ids('SELECT id FROM chat_turns WHERE user_id = $1'),
      resetRequestIds: await ids('SELECT id FROM password_reset_requests WHERE user_id = $1'),
      verificationIds: await ids('SELECT id FROM email_verifications WHERE user_id = $1'),
    };
    await tx.query('DELETE FROM users WHERE id = $1', [userId]);
    return owned;
  });
  const jobs = [
    ...owned.turnIds.map((turnId) => [queue.queues.chat, JOBS.chatTurn.jobId({ turnId })] as const),
    ...owned.resetRequestIds.map((requestId) => [queue.queues.email, JOBS.passwordResetEmail.jobId({ requestId })] as const),
    ...owned.verificationIds.map((verificationId) => [queue.queues.email, JOBS.emailVerification.jobId({ verificationId })] as const),
  ];
  // A job that is running right now is locked and stays; the worker ends it without effect.
  await Promise.all(jobs.map(([q, jobId]) => q.remove(jobId).catch(() => 0)));
  await purgeUserKeys(redis, config.redisKeyPrefix, { userId, turnIds: owned.turnIds, accountHash: accountKey(user.email) });
  logger.info({ userId, turns: owned.turnIds.length }, 'account deleted');
}
