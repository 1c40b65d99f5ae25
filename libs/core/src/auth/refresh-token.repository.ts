import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../platform/db/index.js';

export function hashOpaqueToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** 256 random bits, URL-safe. Only its hash is stored. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function insertRefreshToken(
  db: Queryable,
  input: { userId: string; familyId?: string; ttlDays: number },
): Promise<string> {
  const token = generateOpaqueToken();
  await db.query(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(days => $4))`,
    [input.userId, input.familyId ?? randomUUID(), hashOpaqueToken(token), input.ttlDays],
  );
  return token;
}

export type RefreshTokenClaim =
  | { outcome: 'claimed'; userId: string; familyId: string }
  | { outcome: 'reused'; userId: string; familyId: string }
  | { outcome: 'expired' | 'unknown' };

/**
 * Marks a refresh token used, atomically: of two concurrent presentations only one claims it.
 * A token that was already used or revoked is reported as reuse.
 */
export async function claimRefreshToken(db: Queryable, token: string): Promise<RefreshTokenClaim> {
  const hash = hashOpaqueToken(token);
  const claimed = await db.query<{ user_id: string; family_id: string }>(
    `UPDATE refresh_tokens SET used_at = now()
     WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
     RETURNING user_id, family_id`,
    [hash],
  );
  if (claimed.rows[0]) return { outcome: 'claimed', userId: claimed.rows[0].user_id, familyId: claimed.rows[0].family_id };
  const { rows } = await db.query<{ user_id: string; family_id: string; is_spent: boolean }>(
    `SELECT user_id, family_id, (used_at IS NOT NULL OR revoked_at IS NOT NULL) AS is_spent
     FROM refresh_tokens WHERE token_hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row) return { outcome: 'unknown' };
  if (row.is_spent) return { outcome: 'reused', userId: row.user_id, familyId: row.family_id };
  return { outcome: 'expired' };
}

export async function revokeRefreshTokenFamily(db: Queryable, familyId: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
}

/** Revokes the family of the given token, if the token exists. Returns whether it did. */
export async function revokeRefreshTokenFamilyOf(db: Queryable, token: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE refresh_tokens SET revoked_at = now()
     WHERE revoked_at IS NULL AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)`,
    [hashOpaqueToken(token)],
  );
  return (rowCount ?? 0) > 0;
}

export async function revokeAllRefreshTokens(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
}
