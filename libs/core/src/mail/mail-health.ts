import type { MailTransportName } from '../platform/config.js';
import type { Redis } from '../platform/redis.js';
import type { MailFailureReason } from './mail-error.js';

/**
 * What the worker last learned about its mail transport, shared with the API through Redis:
 * `configured` (it works, or nothing says otherwise), `unreachable` (no answer at all), or
 * `failing` (it answers, but this configuration cannot send: bad key, no STARTTLS, ...).
 */
export interface MailHealth {
  transport: MailTransportName;
  state: 'configured' | 'unreachable' | 'failing';
  reason?: MailFailureReason;
  checkedAt: string;
}

const key = (prefix: string) => `${prefix}:health:mail`;

export async function writeMailHealth(redis: Redis, prefix: string, health: Omit<MailHealth, 'checkedAt'>): Promise<void> {
  const value: MailHealth = { ...health, checkedAt: new Date().toISOString() };
  await redis.set(key(prefix), JSON.stringify(value), 'EX', 3600);
}

/** The last report for this transport; a report about another transport (before a config change) is ignored. */
export async function readMailHealth(redis: Redis, prefix: string, transport: MailTransportName): Promise<MailHealth | null> {
  const raw = await redis.get(key(prefix));
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as MailHealth;
    return value.transport === transport && typeof value.state === 'string' ? value : null;
  } catch {
    return null;
  }
}
