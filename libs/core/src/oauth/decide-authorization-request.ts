import { generateOpaqueToken, hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import { withTransaction, type Pool, type Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import {
  claimAuthorizationRequest,
  findPendingAuthorizationRequest,
  type AuthorizationRequest,
} from './authorization-request.repository.js';
import { insertOAuthGrant } from './oauth-grant.repository.js';
import { AUTHORIZATION_CODE_TTL_SECONDS } from './oauth-settings.js';
import { insertAuthorizationCode } from './oauth-token.repository.js';

const REQUEST_ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const GONE = 'This authorization request is unknown, expired or already answered. Start again from the application.';

/** The pending request the consent page shows; 404 when it is unknown, expired or decided. */
export async function getAuthorizationRequest(db: Queryable, requestId: string): Promise<AuthorizationRequest> {
  const request = REQUEST_ID_SHAPE.test(requestId) ? await findPendingAuthorizationRequest(db, hashOpaqueToken(requestId)) : null;
  if (!request) throw new AppError('not_found', GONE);
  return request;
}

/** Where the browser goes next: the client's redirect URI with either a code or an error, and the state. */
function redirectWith(request: AuthorizationRequest, params: Record<string, string>): string {
  const url = new URL(request.redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  if (request.state !== null) url.searchParams.set('state', request.state);
  return url.href;
}

/**
 * Records the signed-in user's answer to a pending request, once. Allow creates the grant (at the
 * user's current token version) and a short-lived single-use code bound to the client, redirect
 * URI and PKCE challenge; deny sends `access_denied` back to the client.
 */
export async function decideAuthorizationRequest(
  { db }: { db: Pool; config: Config },
  input: { userId: string; requestId: string; isAllowed: boolean },
): Promise<{ redirectTo: string }> {
  if (!REQUEST_ID_SHAPE.test(input.requestId)) throw new AppError('not_found', GONE);
  return withTransaction(db, async (tx) => {
    const request = await claimAuthorizationRequest(tx, hashOpaqueToken(input.requestId));
    if (!request) throw new AppError('not_found', GONE);
    if (!input.isAllowed) {
      return { redirectTo: redirectWith(request, { error: 'access_denied', error_description: 'The user denied access.' }) };
    }
    const grantId = await insertOAuthGrant(tx, {
      userId: input.userId,
      clientId: request.clientId,
      resource: request.resource,
      scopes: request.scopes,
      ttlSeconds: AUTHORIZATION_CODE_TTL_SECONDS,
    });
    if (!grantId) throw new AppError('unauthorized', 'Access token has been revoked.');
    const code = generateOpaqueToken();
    await insertAuthorizationCode(tx, {
      codeHash: hashOpaqueToken(code),
      grantId,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      ttlSeconds: AUTHORIZATION_CODE_TTL_SECONDS,
    });
    return { redirectTo: redirectWith(request, { code }) };
  });
}
