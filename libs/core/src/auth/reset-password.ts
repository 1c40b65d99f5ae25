import { consumeResetToken } from '../mail/password-reset.repository.js';
import { withTransaction, type Pool } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { hashPassword } from './password.js';
import { hashOpaqueToken } from './refresh-token.repository.js';
import { replacePassword } from './replace-password.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Sets a new password with a reset token. The token is spent; every other reset link, every
 * refresh token, every access token issued before and every personal API token stop working:
 * a reset is how a user takes back an account someone else may hold.
 */
export async function resetPassword(db: Pool, token: string, newPassword: string): Promise<void> {
  const invalid = new AppError('validation_failed', 'This password-reset link is invalid, used or expired. Ask for a new one.', {
    errors: [{ path: 'token', message: 'is invalid, used or expired' }],
  });
  if (!TOKEN_SHAPE.test(token)) throw invalid;
  const passwordHash = await hashPassword(newPassword);
  const isReset = await withTransaction(db, async (tx) => {
    const userId = await consumeResetToken(tx, hashOpaqueToken(token));
    if (!userId) return false;
    await replacePassword(tx, userId, passwordHash);
    return true;
  });
  if (!isReset) throw invalid;
}
