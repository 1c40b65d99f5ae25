import { createHash } from 'node:crypto';
import type { RateLimitRule } from '../platform/rate-limit.js';

/** Accounts are keyed by a hash so that Redis holds no email addresses. */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
}

const MINUTE = 60;

/** Per-IP and per-account limits of the credential routes. Counting every attempt keeps the rule simple to reason about. */
export const authRateLimits = {
  register: (ip: string): RateLimitRule[] => [{ name: 'register:ip', subject: ip, limit: 10, windowSeconds: 60 * MINUTE }],
  login: (ip: string, email: string): RateLimitRule[] => [
    { name: 'login:ip', subject: ip, limit: 30, windowSeconds: 15 * MINUTE },
    { name: 'login:account', subject: accountKey(email), limit: 10, windowSeconds: 15 * MINUTE },
  ],
  refresh: (ip: string): RateLimitRule[] => [{ name: 'refresh:ip', subject: ip, limit: 60, windowSeconds: MINUTE }],
  /** Counted for unknown emails too, so the limit itself reveals nothing. */
  forgotPassword: (ip: string, email: string): RateLimitRule[] => [
    { name: 'forgot:ip', subject: ip, limit: 10, windowSeconds: 60 * MINUTE },
    { name: 'forgot:account', subject: accountKey(email), limit: 3, windowSeconds: 60 * MINUTE },
  ],
  resetPassword: (ip: string): RateLimitRule[] => [{ name: 'reset:ip', subject: ip, limit: 20, windowSeconds: 15 * MINUTE }],
};
