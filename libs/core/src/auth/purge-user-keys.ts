import { turnEventsKey } from '../chat/turn-events.js';
import type { Redis } from '../platform/redis.js';

export interface UserKeys {
  userId: string;
  /** Turns whose event streams go too. */
  turnIds: string[];
  /** The hash the rate-limit counters of the account's email are keyed by (`accountKey`). */
  accountHash?: string;
}

/** The Redis key patterns that hold one user's data; deleting an account empties every one. */
function userKeyPatterns(prefix: string, userId: string, accountHash?: string): string[] {
  return [
    // Rate-limit counters keyed by the user (chat, account routes) and by the email's hash (login, forgot).
    `${prefix}:rl:*:${userId}`,
    ...(accountHash ? [`${prefix}:rl:*:${accountHash}`] : []),
    // Per-user keys of any feature (the change feed and whatever comes next) live under this prefix.
    `${prefix}:user:${userId}:*`,
  ];
}

async function deleteMatching(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Deletes a user's Redis keys: their turns' event streams, counters keyed by them, and `<prefix>:user:<id>:*`. */
export async function purgeUserKeys(redis: Redis, prefix: string, keys: UserKeys): Promise<void> {
  const streams = keys.turnIds.map((turnId) => turnEventsKey(prefix, turnId));
  for (let i = 0; i < streams.length; i += 500) await redis.del(...streams.slice(i, i + 500));
  for (const pattern of userKeyPatterns(prefix, keys.userId, keys.accountHash)) await deleteMatching(redis, pattern);
}
