import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { findTurnOwnerId, JOBS, purgeTurnOfDeletedAccount, RetryableTurnError, runChatTurn, type ChatTurnDeps, type TurnOutcome } from '@todo/core';

/** How long a turn that is not yet at the head of its conversation waits before it looks again. */
const BLOCKED_RETRY_MS = 1_000;

/**
 * Thin: parse the job, run the turn in core, map the outcome. A model outage is rethrown so
 * BullMQ retries with backoff; on the last attempt core records the failure instead.
 */
export async function processChatTurnJob(deps: ChatTurnDeps, job: Job, token?: string): Promise<TurnOutcome> {
  if (job.name !== JOBS.chatTurn.name) throw new UnrecoverableError(`unknown chat job "${job.name}"`);
  const payload = JOBS.chatTurn.payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError('invalid chat-turn payload');
  const { turnId } = payload.data;
  const logger = deps.logger.child({ queue: 'chat', jobId: job.id, attempt: job.attemptsMade + 1 });
  const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  // The owner, known once the turn is claimed: only a claimed turn publishes events, so only it
  // can leave some behind when its account is deleted meanwhile.
  let ownerId: string | undefined;
  // The account was deleted while the turn ran: whatever the turn did next failed or was purged.
  // The job leaves no trace either (removeOnComplete is read when the job completes).
  const endForDeletedAccount = async (): Promise<TurnOutcome | undefined> => {
    if (!ownerId || (await findTurnOwnerId(deps.db, turnId))) return undefined;
    await purgeTurnOfDeletedAccount(deps.redis, deps.config.redisKeyPrefix, { turnId, userId: ownerId });
    job.opts.removeOnComplete = true;
    logger.info({ turnId }, 'turn ended: its account was deleted');
    return 'missing';
  };
  try {
    const outcome = await runChatTurn({ ...deps, logger }, turnId, { isLastAttempt, onClaimed: (turn) => void (ownerId = turn.userId) });
    if (outcome === 'blocked') {
      // An earlier turn of the conversation is unfinished (normally its end enqueues this one):
      // look again shortly, without using up an attempt.
      await job.moveToDelayed(Date.now() + BLOCKED_RETRY_MS, token);
      throw new DelayedError();
    }
    if (outcome === 'missing') {
      // Gone before it was claimed (its account or conversation was deleted): nothing was
      // published, and the job leaves no trace either.
      job.opts.removeOnComplete = true;
      return outcome;
    }
    return (await endForDeletedAccount()) ?? outcome;
  } catch (error) {
    if (error instanceof DelayedError) throw error;
    const ended = await endForDeletedAccount();
    if (ended) return ended;
    if (error instanceof RetryableTurnError) throw new Error(error.message);
    throw error;
  }
}
