import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { findTokenVersion } from '../users/index.js';
import { verifyAccessToken } from './access-token.js';
import type { TokenVersionCache } from './token-version-cache.js';

export interface AuthenticateDeps {
  db: Queryable;
  config: Config;
  /** Token versions without a query per request (kept true by Postgres notifications); without it, one query each. */
  tokenVersions?: TokenVersionCache;
}

/** Resolves a bearer access token to its user id, refusing revoked tokens and deleted users. */
export async function authenticateAccessToken({ db, config, tokenVersions }: AuthenticateDeps, token: string): Promise<string> {
  const claims = verifyAccessToken(config, token);
  let currentVersion = tokenVersions ? await tokenVersions.read(db, claims.userId) : await findTokenVersion(db, claims.userId);
  // Versions only grow: a cached one below the token's is stale (its notification is on the way), so ask Postgres.
  if (tokenVersions && currentVersion !== null && currentVersion < claims.tokenVersion) {
    currentVersion = await tokenVersions.read(db, claims.userId, { isFresh: true });
  }
  if (currentVersion === null || currentVersion !== claims.tokenVersion) {
    throw new AppError('unauthorized', 'Access token has been revoked.');
  }
  return claims.userId;
}
