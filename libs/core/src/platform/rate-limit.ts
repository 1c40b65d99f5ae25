import type { Redis } from './redis.js';
import { AppError } from './errors.js';

/** One limit: at most `limit` hits per `windowSeconds` for one key (an IP, an account). */
export interface RateLimitRule {
  /** What is limited, e.g. "login:ip". */
  name: string;
  /** Who is limited, e.g. the client IP or the normalised email. */
  subject: string;
  limit: number;
  windowSeconds: number;
}

// Fixed window: the first hit sets the expiry. Returns the count and the window's remaining ms.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * Counts one hit against every rule (counters live in Redis, so limits hold across processes)
 * and throws `rate_limited` with the longest wait when any rule is over its limit.
 */
export async function enforceRateLimits(redis: Redis, keyPrefix: string, rules: RateLimitRule[]): Promise<void> {
  let retryAfterSeconds = 0;
  const results = await Promise.all(
    rules.map((rule) =>
      redis.eval(HIT_SCRIPT, 1, `${keyPrefix}:rl:${rule.name}:${rule.subject}`, rule.windowSeconds * 1000) as Promise<[number, number]>,
    ),
  );
  results.forEach(([count, ttlMs], i) => {
    if (count > rules[i]!.limit) retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil(ttlMs / 1000));
  });
  if (retryAfterSeconds > 0) {
    throw new AppError('rate_limited', `Too many attempts. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
  }
}
