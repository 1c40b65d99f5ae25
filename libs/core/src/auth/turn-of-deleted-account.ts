import type { Queryable } from '../platform/db/index.js';
import type { Redis } from '../platform/redis.js';
import { purgeUserKeys } from './purge-user-keys.js';

/** The owner of a turn, or null when the turn is gone (its account was deleted). */
export async function findTurnOwnerId(db: Queryable, turnId: string): Promise<string | null> {
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM chat_turns WHERE id = $1', [turnId]);
  return rows[0]?.user_id ?? null;
}

/**
 * After a turn whose account was deleted while it ran: its writes to Postgres already failed on
 * the foreign keys, but events it published after the account's keys were purged would outlive
 * it, so they are purged again here, once the turn can publish nothing more.
 */
export async function purgeTurnOfDeletedAccount(redis: Redis, prefix: string, turn: { turnId: string; userId: string }): Promise<void> {
  await purgeUserKeys(redis, prefix, { userId: turn.userId, turnIds: [turn.turnId] });
}
