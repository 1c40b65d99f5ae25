import { createHmac } from 'node:crypto';
import { generateOpaqueToken, hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import { extendOAuthGrant } from './oauth-grant.repository.js';
import { OAUTH_ACCESS_TOKEN_PREFIX, OAUTH_ACCESS_TOKEN_TTL_SECONDS, OAUTH_REFRESH_TOKEN_PREFIX } from './oauth-settings.js';
import { insertOAuthToken } from './oauth-token.repository.js';

/** The token endpoint's answer (RFC 6749 §5.1). */
export interface OAuthTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/**
 * The refresh token that replaces `token` at its rotation: HMAC(secret, token), so every
 * presenter of a just-rotated token within the grace period derives the same one live successor
 * and the grant never forks (the rule sign-in sessions follow).
 */
export function deriveSuccessorRefreshToken(config: Config, token: string): string {
  return OAUTH_REFRESH_TOKEN_PREFIX + createHmac('sha256', `oauth-refresh-rotation:${config.jwt.secret}`).update(token).digest('base64url');
}

/**
 * A new access token for the grant and the given refresh token, which is stored first unless it
 * already is (`isRefreshTokenStored`, a grace-period replay). The grant lives as long as its
 * newest refresh token.
 */
export async function issueOAuthTokens(
  db: Queryable,
  config: Config,
  input: { grantId: string; scopes: string[]; refreshToken?: string; isRefreshTokenStored?: boolean },
): Promise<OAuthTokenResponse> {
  const accessToken = OAUTH_ACCESS_TOKEN_PREFIX + generateOpaqueToken();
  await insertOAuthToken(db, { tokenHash: hashOpaqueToken(accessToken), grantId: input.grantId, kind: 'access', ttlSeconds: OAUTH_ACCESS_TOKEN_TTL_SECONDS });
  const refreshToken = input.refreshToken ?? OAUTH_REFRESH_TOKEN_PREFIX + generateOpaqueToken();
  if (!input.isRefreshTokenStored) {
    const ttlSeconds = config.refreshTokenTtlDays * 86_400;
    await insertOAuthToken(db, { tokenHash: hashOpaqueToken(refreshToken), grantId: input.grantId, kind: 'refresh', ttlSeconds });
    await extendOAuthGrant(db, input.grantId, config.refreshTokenTtlDays);
  }
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: OAUTH_ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refreshToken,
    scope: input.scopes.join(' '),
  };
}
