import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { findTokenVersion } from '../users/index.js';
import { verifyAccessToken } from './access-token.js';

/** Resolves a bearer access token to its user id, refusing revoked tokens and deleted users. */
export async function authenticateAccessToken({ db, config }: { db: Queryable; config: Config }, token: string): Promise<string> {
  const claims = verifyAccessToken(config, token);
  const currentVersion = await findTokenVersion(db, claims.userId);
  if (currentVersion === null || currentVersion !== claims.tokenVersion) {
    throw new AppError('unauthorized', 'Access token has been revoked.');
  }
  return claims.userId;
}
