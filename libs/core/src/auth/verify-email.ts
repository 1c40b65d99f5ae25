import { consumeVerificationToken, isEmailVerified, markEmailVerified } from '../mail/email-verification.repository.js';
import { spendUserMailTokens } from '../mail/mail-token.repository.js';
import type { Config } from '../platform/config.js';
import { withTransaction, type Pool, type Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { findUserById, toPublicUser, type User } from '../users/index.js';
import { hashOpaqueToken } from './refresh-token.repository.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Confirms the user's address with the token of a verification mail; the token and the user's other links are spent. */
export async function verifyEmail(db: Pool, token: string): Promise<User> {
  const invalid = new AppError('validation_failed', 'This verification link is invalid, used or expired. Ask for a new one.', {
    errors: [{ path: 'token', message: 'is invalid, used or expired' }],
  });
  if (!TOKEN_SHAPE.test(token)) throw invalid;
  const user = await withTransaction(db, async (tx) => {
    const userId = await consumeVerificationToken(tx, hashOpaqueToken(token));
    if (!userId) return null;
    await markEmailVerified(tx, userId);
    await spendUserMailTokens(tx, 'email-verification', userId);
    return findUserById(tx, userId);
  });
  if (!user) throw invalid;
  return toPublicUser(user);
}

/** With REQUIRE_EMAIL_VERIFICATION, chat and MCP are for verified addresses only (REST tasks stay usable). */
export async function assertEmailVerified(deps: { db: Queryable; config: Config }, userId: string): Promise<void> {
  if (!deps.config.requireEmailVerification) return;
  // null: no such user (deleted meanwhile); the route's own work then finds nothing.
  if ((await isEmailVerified(deps.db, userId)) === false) {
    throw new AppError('email_not_verified', 'Confirm your email address first: open the link in the verification mail, or ask for a new one.');
  }
}
