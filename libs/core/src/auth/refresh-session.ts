import { createHmac } from 'node:crypto';
import { withTransaction, type Pool, type PoolClient } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import { AppError } from '../platform/errors.js';
import { findUserById } from '../users/index.js';
import { claimRefreshToken, findRefreshToken, insertRefreshToken, revokeRefreshTokenFamily } from './refresh-token.repository.js';
import { sessionWithRefreshToken, type Session } from './session.js';

/** How many rotations a recently rotated token may be ahead of (two tabs rarely see more than one). */
const MAX_SUCCESSOR_HOPS = 5;

/**
 * The token that replaces `token` at its rotation: HMAC(secret, token), 256 bits that only the
 * server can compute. Because every presenter of `token` derives the same successor, parallel
 * refreshes within the grace period all get the one live token of the family, not a fork.
 */
function deriveSuccessorToken(secret: string, token: string): string {
  return createHmac('sha256', `refresh-rotation:${secret}`).update(token).digest('base64url');
}

/**
 * The family's live token that `token` led to: its successor, or (when that was rotated too) the
 * successor's successor, and so on. Null when the chain ends in a revoked, expired or missing token.
 */
async function findLiveSuccessor(tx: PoolClient, config: Config, familyId: string, token: string): Promise<string | null> {
  let candidate = token;
  for (let hop = 0; hop < MAX_SUCCESSOR_HOPS; hop++) {
    candidate = deriveSuccessorToken(config.jwt.secret, candidate);
    const stored = await findRefreshToken(tx, familyId, candidate);
    if (!stored || stored.isDead) return null;
    if (!stored.isUsed) return candidate;
  }
  return null;
}

const REUSED = 'Refresh token was already used; every session from that sign-in has been ended. Sign in again.';

/**
 * Rotates a refresh token: the presented one is spent and its successor, in the same family, is
 * returned. Within REFRESH_REUSE_GRACE_SECONDS of that rotation, presenting the spent token again
 * (a second tab, a retried request) returns the same live successor with a new access token, so
 * the family never forks. Later, a spent token means it leaked: the whole family is revoked and
 * everyone holding it must sign in again.
 */
export async function refreshSession({ db, config }: { db: Pool; config: Config }, refreshToken: string): Promise<Session> {
  const outcome = await withTransaction(db, async (tx) => {
    const claim = await claimRefreshToken(tx, refreshToken, { graceSeconds: config.refreshReuseGraceSeconds });
    if (claim.outcome === 'expired') return { error: 'Refresh token has expired.' };
    if (claim.outcome === 'unknown') return { error: 'Refresh token is invalid.' };
    let liveToken: string | null = null;
    if (claim.outcome === 'claimed') {
      liveToken = await insertRefreshToken(tx, {
        userId: claim.userId,
        familyId: claim.familyId,
        ttlDays: config.refreshTokenTtlDays,
        token: deriveSuccessorToken(config.jwt.secret, refreshToken),
      });
    } else if (claim.outcome === 'rotated-recently') {
      liveToken = await findLiveSuccessor(tx, config, claim.familyId, refreshToken);
    }
    if (!liveToken) {
      await revokeRefreshTokenFamily(tx, claim.familyId);
      return { error: REUSED };
    }
    const user = await findUserById(tx, claim.userId);
    if (!user) return { error: 'Refresh token is invalid.' };
    return { session: sessionWithRefreshToken(config, user, liveToken) };
  });
  // The revocation above must commit, so the error is thrown only after the transaction.
  if ('error' in outcome) throw new AppError('unauthorized', outcome.error!);
  return outcome.session!;
}
