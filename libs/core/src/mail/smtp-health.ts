import type { Redis } from '../platform/redis.js';

/** What the worker last learned about the SMTP server, shared with the API through Redis. */
export interface SmtpHealth {
  isReachable: boolean;
  checkedAt: string;
}

const key = (prefix: string) => `${prefix}:health:smtp`;

export async function writeSmtpHealth(redis: Redis, prefix: string, isReachable: boolean): Promise<void> {
  const value: SmtpHealth = { isReachable, checkedAt: new Date().toISOString() };
  await redis.set(key(prefix), JSON.stringify(value), 'EX', 3600);
}

export async function readSmtpHealth(redis: Redis, prefix: string): Promise<SmtpHealth | null> {
  const raw = await redis.get(key(prefix));
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as SmtpHealth;
    return typeof value.isReachable === 'boolean' ? value : null;
  } catch {
    return null;
  }
}
