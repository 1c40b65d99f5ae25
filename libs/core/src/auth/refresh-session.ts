import { withTransaction, type Pool } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import { AppError } from '../platform/errors.js';
import { findUserById } from '../users/index.js';
import { claimRefreshToken, revokeRefreshTokenFamily } from './refresh-token.repository.js';
import { startSession, type Session } from './session.js';

/**
 * Rotates a refresh token: the presented one is spent and a new one in the same family is
 * returned. Presenting a spent token again means it leaked (or a client raced itself): the
 * whole family is revoked and everyone holding it must sign in again.
 */
export async function refreshSession({ db, config }: { db: Pool; config: Config }, refreshToken: string): Promise<Session> {
  const outcome = await withTransaction(db, async (tx) => {
    const claim = await claimRefreshToken(tx, refreshToken);
    if (claim.outcome === 'reused') {
      await revokeRefreshTokenFamily(tx, claim.familyId);
      return { error: 'Refresh token was already used; every session from that sign-in has been ended. Sign in again.' };
    }
    if (claim.outcome !== 'claimed') {
      return { error: claim.outcome === 'expired' ? 'Refresh token has expired.' : 'Refresh token is invalid.' };
    }
    const user = await findUserById(tx, claim.userId);
    if (!user) return { error: 'Refresh token is invalid.' };
    return { session: await startSession({ db: tx, config }, user, claim.familyId) };
  });
  // The revocation above must commit, so the error is thrown only after the transaction.
  if ('error' in outcome) throw new AppError('unauthorized', outcome.error!);
  return outcome.session!;
}
