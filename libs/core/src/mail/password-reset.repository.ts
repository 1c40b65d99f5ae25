import type { Queryable } from '../platform/db/index.js';

/**
 * Records a reset request and spends the user's earlier ones: only the newest link works, and a
 * queued mail of an older request is no longer sent (its send finds the row spent).
 */
export async function insertResetRequest(db: Queryable, userId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `WITH spent AS (UPDATE password_reset_requests SET used_at = now() WHERE user_id = $1 AND used_at IS NULL)
     INSERT INTO password_reset_requests (user_id) VALUES ($1) RETURNING id`,
    [userId],
  );
  return rows[0]!.id;
}

/**
 * Spends a reset token atomically: of two concurrent uses, one gets the user id. Only the user's
 * newest request counts (two requests made at once may both have escaped the other's spending).
 */
export async function consumeResetToken(db: Queryable, tokenHash: Buffer): Promise<string | null> {
  const { rows } = await db.query<{ user_id: string }>(
    `UPDATE password_reset_requests r SET used_at = now()
     WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
       AND NOT EXISTS (
         SELECT 1 FROM password_reset_requests newer
         WHERE newer.user_id = r.user_id AND (newer.created_at, newer.id) > (r.created_at, r.id)
       )
     RETURNING r.user_id`,
    [tokenHash],
  );
  return rows[0]?.user_id ?? null;
}
