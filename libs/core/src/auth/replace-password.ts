import { spendUserMailTokens } from '../mail/mail-token.repository.js';
import type { Queryable } from '../platform/db/index.js';
import { incrementTokenVersion, updatePasswordHash } from '../users/index.js';
import { revokeAllApiTokens } from './api-token.repository.js';
import { revokeAllRefreshTokens } from './refresh-token.repository.js';

/**
 * Sets a new password hash and ends everything the old password opened, inside the caller's
 * transaction: the token version moves on (every earlier access token and OAuth grant is
 * refused), refresh tokens and personal API tokens are revoked, and open reset links stop
 * working. Shared by change-password and reset-password, so neither can miss a step.
 * Resolves to the new token version.
 */
export async function replacePassword(tx: Queryable, userId: string, passwordHash: string): Promise<number> {
  await updatePasswordHash(tx, userId, passwordHash);
  const tokenVersion = await incrementTokenVersion(tx, userId);
  await revokeAllRefreshTokens(tx, userId);
  await revokeAllApiTokens(tx, userId);
  await spendUserMailTokens(tx, 'password-reset', userId);
  return tokenVersion;
}
