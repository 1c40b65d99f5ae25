import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Queryable } from '../platform/db/index.js';
import { revokeOAuthGrant } from './oauth-grant.repository.js';
import { findGrantIdOfToken } from './oauth-token.repository.js';

/**
 * RFC 7009: revokes the grant of an access or refresh token the client owns, so every token of
 * that authorization stops working. An unknown token, or another client's, changes nothing and is
 * not reported (the endpoint answers 200 either way).
 */
export async function revokeOAuthToken(db: Queryable, input: { clientId: string; token: string }): Promise<void> {
  const grantId = await findGrantIdOfToken(db, hashOpaqueToken(input.token), input.clientId);
  if (grantId) await revokeOAuthGrant(db, grantId);
}
