import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../platform/db/index.js';

export function hashOpaqueToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** 256 random bits, URL-safe. Only its hash is stored. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Stores a refresh token (a new random one unless `token` is given) and returns it. */
export async function insertRefreshToken(
  db: Queryable,
  input: { userId: string; familyId?: string; ttlDays: number; token?: string },
): Promise<string> {
  const token = input.token ?? generateOpaqueToken();
  await db.query(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(days => $4))`,
    [input.userId, input.familyId ?? randomUUID(), hashOpaqueToken(token), input.ttlDays],
  );
  return token;
}

export type RefreshTokenClaim =
  | { outcome: 'claimed'; userId: string; familyId: string }
  /** Spent by a rotation less than the grace period ago, and not revoked since. */
  | { outcome: 'rotated-recently'; userId: string; familyId: string }
  | { outcome: 'reused'; userId: string; familyId: string }
  | { outcome: 'expired' }
  | { outcome: 'unknown' };

/**
 * Marks a refresh token used, atomically: of concurrent presentations only one claims it; the
 * others wait for its commit and then see it spent. A spent token is `rotated-recently` when it was
 * used less than `graceSeconds` ago and its family is not revoked, else `reused`.
 */
export async function claimRefreshToken(db: Queryable, token: string, { graceSeconds }: { graceSeconds: number }): Promise<RefreshTokenClaim> {
  const hash = hashOpaqueToken(token);
  const claimed = await db.query<{ user_id: string; family_id: string }>(
    `UPDATE refresh_tokens SET used_at = now()
     WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
     RETURNING user_id, family_id`,
    [hash],
  );
  if (claimed.rows[0]) return { outcome: 'claimed', userId: claimed.rows[0].user_id, familyId: claimed.rows[0].family_id };
  const { rows } = await db.query<{ user_id: string; family_id: string; is_spent: boolean; is_recent: boolean }>(
    `SELECT user_id, family_id, (used_at IS NOT NULL OR revoked_at IS NOT NULL) AS is_spent,
            (revoked_at IS NULL AND used_at > clock_timestamp() - make_interval(secs => $2)) AS is_recent
     FROM refresh_tokens WHERE token_hash = $1`,
    [hash, graceSeconds],
  );
  const row = rows[0];
  if (!row) return { outcome: 'unknown' };
  if (row.is_recent) return { outcome: 'rotated-recently', userId: row.user_id, familyId: row.family_id };
  if (row.is_spent) return { outcome: 'reused', userId: row.user_id, familyId: row.family_id };
  return { outcome: 'expired' };
}

export interface StoredRefreshToken {
  familyId: string;
  isUsed: boolean;
  /** Revoked or expired: it will never work again. */
  isDead: boolean;
}

/** The state of one refresh token of a family, or null when no such token is stored. */
export async function findRefreshToken(db: Queryable, familyId: string, token: string): Promise<StoredRefreshToken | null> {
  const { rows } = await db.query<{ family_id: string; is_used: boolean; is_dead: boolean }>(
    `SELECT family_id, used_at IS NOT NULL AS is_used, (revoked_at IS NOT NULL OR expires_at <= now()) AS is_dead
     FROM refresh_tokens WHERE family_id = $1 AND token_hash = $2`,
    [familyId, hashOpaqueToken(token)],
  );
  const row = rows[0];
  return row ? { familyId: row.family_id, isUsed: row.is_used, isDead: row.is_dead } : null;
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
