import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Queryable } from '../platform/db/index.js';
import { OAUTH_ACCESS_TOKEN_PREFIX } from './oauth-settings.js';
import { useOAuthAccessToken, type OAuthAccessTokenInfo } from './oauth-token.repository.js';

/** Whether a bearer token is one of our OAuth access tokens (by its prefix). */
export function isOAuthAccessToken(token: string): boolean {
  return token.startsWith(OAUTH_ACCESS_TOKEN_PREFIX);
}

/**
 * What a working OAuth access token stands for (user, client, audience, scopes), or null for an
 * unknown, expired or revoked one, or one whose user changed or reset their password since.
 */
export async function authenticateOAuthAccessToken(db: Queryable, token: string): Promise<OAuthAccessTokenInfo | null> {
  if (!isOAuthAccessToken(token) || token.length > 200) return null;
  return useOAuthAccessToken(db, hashOpaqueToken(token));
}
