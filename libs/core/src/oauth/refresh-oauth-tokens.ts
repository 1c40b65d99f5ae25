import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import { withTransaction, type Pool, type PoolClient } from '../platform/db/index.js';
import { revokeOAuthGrant } from './oauth-grant.repository.js';
import { OAuthProtocolError } from './oauth-error.js';
import { isSameResource } from './oauth-settings.js';
import { isRefreshTokenLive, lockRefreshToken, markRefreshTokenUsed } from './oauth-token.repository.js';
import { deriveSuccessorRefreshToken, issueOAuthTokens, type OAuthTokenResponse } from './issue-oauth-tokens.js';

const INVALID = 'The refresh token is invalid, expired or revoked.';
const REUSED = 'The refresh token was already used; the authorization has been revoked. Authorize again.';
/** How many rotations a recently rotated token may be behind (a client rarely races itself more than once). */
const MAX_SUCCESSOR_HOPS = 5;

/** The grant's live refresh token that `token` led to, following successors; null when the chain ends. */
async function findLiveSuccessor(tx: PoolClient, config: Config, grantId: string, token: string): Promise<string | null> {
  let candidate = token;
  for (let hop = 0; hop < MAX_SUCCESSOR_HOPS; hop++) {
    candidate = deriveSuccessorRefreshToken(config, candidate);
    const state = await isRefreshTokenLive(tx, grantId, hashOpaqueToken(candidate));
    if (state === 'dead') return null;
    if (state === 'live') return candidate;
  }
  return null;
}

/**
 * Rotates a refresh token: it is spent and its successor returned with a new access token. Within
 * the grace period a just-spent token yields the same live successor (a retry or a race); after
 * it, a spent token means it leaked and the whole grant is revoked, as for sign-in sessions.
 */
export async function refreshOAuthTokens(
  { db, config }: { db: Pool; config: Config },
  input: { clientId: string; refreshToken: string; scopes?: string[]; resource?: string },
): Promise<OAuthTokenResponse> {
  const outcome = await withTransaction(db, async (tx) => {
    const tokenHash = hashOpaqueToken(input.refreshToken);
    const record = await lockRefreshToken(tx, tokenHash);
    if (!record || record.clientId !== input.clientId || !record.isGrantLive || record.isExpired) {
      return { error: new OAuthProtocolError('invalid_grant', INVALID) };
    }
    if (input.resource !== undefined && !isSameResource(input.resource, record.resource)) {
      return { error: new OAuthProtocolError('invalid_target', `The refresh token was issued for ${record.resource}.`) };
    }
    const extra = (input.scopes ?? []).filter((scope) => scope && !record.scopes.includes(scope));
    if (extra.length > 0) return { error: new OAuthProtocolError('invalid_scope', `Not granted: ${extra.join(' ')}.`) };
    const scopes = input.scopes?.length ? record.scopes.filter((scope) => input.scopes!.includes(scope)) : record.scopes;

    if (record.usedSecondsAgo === null) {
      await markRefreshTokenUsed(tx, tokenHash);
      const successor = deriveSuccessorRefreshToken(config, input.refreshToken);
      return { tokens: await issueOAuthTokens(tx, config, { grantId: record.grantId, scopes, refreshToken: successor }) };
    }
    // Within the grace of sign-in sessions (REFRESH_REUSE_GRACE_SECONDS), a spent token yields the
    // grant's live successor (a client that retried or raced itself); later, reuse revokes the grant.
    const successor =
      record.usedSecondsAgo <= config.refreshReuseGraceSeconds ? await findLiveSuccessor(tx, config, record.grantId, input.refreshToken) : null;
    if (!successor) {
      await revokeOAuthGrant(tx, record.grantId);
      return { error: new OAuthProtocolError('invalid_grant', REUSED) };
    }
    return { tokens: await issueOAuthTokens(tx, config, { grantId: record.grantId, scopes, refreshToken: successor, isRefreshTokenStored: true }) };
  });
  // A revocation above must commit, so the error is thrown only after the transaction.
  if ('error' in outcome) throw outcome.error;
  return outcome.tokens;
}
