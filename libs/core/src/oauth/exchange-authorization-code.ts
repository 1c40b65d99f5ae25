import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import { withTransaction, type Pool } from '../platform/db/index.js';
import { findOAuthGrant, revokeOAuthGrant } from './oauth-grant.repository.js';
import { OAuthProtocolError } from './oauth-error.js';
import { isSameResource } from './oauth-settings.js';
import { claimAuthorizationCode, findAuthorizationCode } from './oauth-token.repository.js';
import { issueOAuthTokens, type OAuthTokenResponse } from './issue-oauth-tokens.js';

const INVALID_CODE = 'The authorization code is invalid, expired, already used or was issued to another client.';

/**
 * The PKCE challenge of a code issued to this client, for the SDK to check the verifier against.
 * A code presented again after its exchange is a replay (OAuth 2.1 §4.1.3): the grant it produced
 * is revoked, so the tokens a thief or the first presenter got stop working.
 */
export async function findAuthorizationCodeChallenge(db: Pool, input: { clientId: string; code: string }): Promise<string> {
  const lookup = await findAuthorizationCode(db, hashOpaqueToken(input.code));
  if (lookup.outcome === 'spent') await revokeOAuthGrant(db, lookup.grantId);
  if (lookup.outcome !== 'usable' || lookup.clientId !== input.clientId) throw new OAuthProtocolError('invalid_grant', INVALID_CODE);
  return lookup.codeChallenge;
}

/**
 * Spends a code (whose PKCE verifier the SDK has checked) for the first access and refresh
 * tokens of its grant. The code must be this client's, the redirect URI the one of the
 * authorization request, and a `resource` (RFC 8707), when given, the grant's audience.
 */
export async function exchangeAuthorizationCode(
  { db, config }: { db: Pool; config: Config },
  input: { clientId: string; code: string; redirectUri?: string; resource?: string },
): Promise<OAuthTokenResponse> {
  const codeHash = hashOpaqueToken(input.code);
  return withTransaction(db, async (tx) => {
    const lookup = await findAuthorizationCode(tx, codeHash);
    if (lookup.outcome !== 'usable' || lookup.clientId !== input.clientId || !(await claimAuthorizationCode(tx, codeHash))) {
      throw new OAuthProtocolError('invalid_grant', INVALID_CODE);
    }
    if (input.redirectUri !== undefined && input.redirectUri !== lookup.redirectUri) {
      throw new OAuthProtocolError('invalid_grant', 'redirect_uri is not the one the code was issued for.');
    }
    const grant = await findOAuthGrant(tx, lookup.grantId);
    if (!grant?.isLive) throw new OAuthProtocolError('invalid_grant', INVALID_CODE);
    if (input.resource !== undefined && !isSameResource(input.resource, grant.resource)) {
      throw new OAuthProtocolError('invalid_target', `The code was issued for ${grant.resource}.`);
    }
    return issueOAuthTokens(tx, config, { grantId: grant.id, scopes: grant.scopes });
  });
}
