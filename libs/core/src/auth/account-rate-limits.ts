import type { RateLimitRule } from '../platform/rate-limit.js';

const MINUTE = 60;

/**
 * Limits of the signed-in account routes, keyed by user id (the token already names the account)
 * and by IP. A password check guards each of the first two, so they are limited like login.
 */
export const accountRateLimits = {
  changePassword: (ip: string, userId: string): RateLimitRule[] => [
    { name: 'change-password:ip', subject: ip, limit: 30, windowSeconds: 15 * MINUTE },
    { name: 'change-password:user', subject: userId, limit: 10, windowSeconds: 15 * MINUTE },
  ],
  deleteAccount: (ip: string, userId: string): RateLimitRule[] => [
    { name: 'delete-account:ip', subject: ip, limit: 30, windowSeconds: 15 * MINUTE },
    { name: 'delete-account:user', subject: userId, limit: 10, windowSeconds: 15 * MINUTE },
  ],
  verifyEmail: (ip: string): RateLimitRule[] => [{ name: 'verify-email:ip', subject: ip, limit: 30, windowSeconds: 15 * MINUTE }],
  /** Each resend is a mail to the user's inbox: few per hour. */
  resendVerification: (userId: string): RateLimitRule[] => [{ name: 'resend-verification:user', subject: userId, limit: 3, windowSeconds: 60 * MINUTE }],
  exportAccount: (userId: string): RateLimitRule[] => [{ name: 'export:user', subject: userId, limit: 10, windowSeconds: 60 * MINUTE }],
};
