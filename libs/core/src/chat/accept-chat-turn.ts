import { createHash } from 'node:crypto';
import { withTransaction, type Pool } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { JOBS } from '../platform/queue/jobs.js';
import type { QueueClient } from '../platform/queue/queues.js';
import type { Redis } from '../platform/redis.js';
import { insertConversation, lockConversation, nextTurnSeq, titleFromMessage } from './conversation.repository.js';
import { publishTurnEvent } from './turn-events.js';
import { findTurnByIdempotencyKey, hasEarlierUnfinishedTurn, insertTurn, type Turn } from './turn.repository.js';

export interface AcceptChatTurnDeps {
  db: Pool;
  redis: Redis;
  queue: Pick<QueueClient, 'enqueue'>;
  logger: Logger;
  redisKeyPrefix: string;
}

export interface AcceptChatTurnInput {
  userId: string;
  message: string;
  conversationId?: string;
  idempotencyKey?: string;
}

/**
 * Stores the turn (the promise to answer it) and, when no earlier turn of the conversation is
 * unfinished, enqueues it; otherwise the turn before it enqueues it when it ends. With an
 * Idempotency-Key, a retried request returns the turn it created the first time.
 */
export async function acceptChatTurn(deps: AcceptChatTurnDeps, input: AcceptChatTurnInput): Promise<{ turn: Turn; isNew: boolean }> {
  const requestHash = createHash('sha256').update(JSON.stringify([input.message, input.conversationId ?? null])).digest('hex');
  if (input.idempotencyKey) {
    const existing = await findTurnByIdempotencyKey(deps.db, input.userId, input.idempotencyKey);
    if (existing) return { turn: sameRequestOrConflict(existing, requestHash), isNew: false };
  }
  let accepted: { turn: Turn; isHead: boolean };
  try {
    accepted = await withTransaction(deps.db, async (tx) => {
      const conversation = input.conversationId
        ? await lockConversation(tx, input.userId, input.conversationId)
        : await insertConversation(tx, input.userId, titleFromMessage(input.message));
      if (!conversation) throw new AppError('not_found', 'Conversation not found');
      const seq = await nextTurnSeq(tx, conversation.id);
      const turn = await insertTurn(tx, {
        conversationId: conversation.id,
        userId: input.userId,
        seq,
        message: input.message,
        idempotencyKey: input.idempotencyKey,
        requestHash,
      });
      return { turn, isHead: !(await hasEarlierUnfinishedTurn(tx, conversation.id, seq)) };
    });
  } catch (error) {
    // Two requests with one Idempotency-Key raced: the loser answers with the winner's turn.
    if ((error as { code?: string }).code === '23505' && input.idempotencyKey) {
      const existing = await findTurnByIdempotencyKey(deps.db, input.userId, input.idempotencyKey);
      if (existing) return { turn: sameRequestOrConflict(existing, requestHash), isNew: false };
    }
    throw error;
  }
  const { turn, isHead } = accepted;
  try {
    await publishTurnEvent(deps.redis, deps.redisKeyPrefix, turn.id, 'status', { status: 'queued' });
    if (isHead) await deps.queue.enqueue(JOBS.chatTurn, { turnId: turn.id });
  } catch (error) {
    deps.logger.warn({ err: error, turnId: turn.id }, 'turn stored but not yet enqueued; the worker sweep will');
  }
  return { turn, isNew: true };
}

function sameRequestOrConflict(existing: Turn, requestHash: string): Turn {
  if (existing.requestHash !== requestHash) {
    throw new AppError('conflict', 'This Idempotency-Key was already used for a different message.');
  }
  return existing;
}
