import { withTransaction, type Pool, type Queryable } from '../platform/db/index.js';
import { incrementTokenVersion } from '../users/index.js';
import { revokeAllRefreshTokens, revokeRefreshTokenFamilyOf } from './refresh-token.repository.js';

/** Ends the sign-in the refresh token belongs to. Unknown tokens are ignored: logging out twice is fine. */
export async function logOut(db: Queryable, refreshToken: string): Promise<void> {
  await revokeRefreshTokenFamilyOf(db, refreshToken);
}

/** Ends every session of the user: all refresh tokens revoked, all access tokens refused from now on. */
export async function logOutEverywhere(db: Pool, userId: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    await revokeAllRefreshTokens(tx, userId);
    await incrementTokenVersion(tx, userId);
  });
}
