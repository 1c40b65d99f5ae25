import { generateOpaqueToken, hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import { deleteExpiredAuthorizationRequests, insertAuthorizationRequest } from './authorization-request.repository.js';
import { OAuthProtocolError } from './oauth-error.js';
import { isSameResource, mcpResourceUrl, OAUTH_SCOPES } from './oauth-settings.js';

export interface StartAuthorizationInput {
  clientId: string;
  /** Already checked against the client's registered URIs by the SDK. */
  redirectUri: string;
  /** The S256 PKCE challenge (the SDK refuses other methods). */
  codeChallenge: string;
  state?: string;
  scopes?: string[];
  /** RFC 8707: the resource the client wants a token for; ours is /mcp, which is also the default. */
  resource?: string;
}

/**
 * Stores an authorization request until the user decides on the consent page, returning its
 * opaque id (only its hash is stored). Unknown scopes and foreign resources are refused here, so
 * the user is never asked about a request that cannot succeed.
 */
export async function startAuthorization({ db, config }: { db: Queryable; config: Config }, input: StartAuthorizationInput): Promise<string> {
  const resource = mcpResourceUrl(config);
  if (input.resource !== undefined && !isSameResource(input.resource, resource)) {
    throw new OAuthProtocolError('invalid_target', `This server issues tokens for ${resource} only.`);
  }
  const requested = (input.scopes ?? []).filter(Boolean);
  const unknown = requested.filter((scope) => !(OAUTH_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) throw new OAuthProtocolError('invalid_scope', `Unknown scope: ${unknown.join(' ')}. Supported: ${OAUTH_SCOPES.join(' ')}.`);
  const scopes = requested.length > 0 ? [...new Set(requested)] : [...OAUTH_SCOPES];

  if (input.codeChallenge.length < 43 || input.codeChallenge.length > 128) {
    throw new OAuthProtocolError('invalid_request', 'code_challenge must be the S256 challenge of a verifier (43 characters).');
  }
  if ((input.state?.length ?? 0) > 1000) throw new OAuthProtocolError('invalid_request', 'state is longer than 1000 characters.');

  const requestId = generateOpaqueToken();
  await deleteExpiredAuthorizationRequests(db);
  await insertAuthorizationRequest(db, {
    idHash: hashOpaqueToken(requestId),
    clientId: input.clientId,
    redirectUri: input.redirectUri,
    codeChallenge: input.codeChallenge,
    state: input.state ?? null,
    scopes,
    resource,
  });
  return requestId;
}
