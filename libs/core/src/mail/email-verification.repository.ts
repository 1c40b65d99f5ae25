import type { Queryable } from '../platform/db/index.js';

export async function insertEmailVerification(db: Queryable, userId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO email_verifications (user_id) VALUES ($1) RETURNING id', [userId]);
  return rows[0]!.id;
}

/** Spends a verification token: of two concurrent uses, one gets the user id. */
export async function consumeVerificationToken(db: Queryable, tokenHash: Buffer): Promise<string | null> {
  const { rows } = await db.query<{ user_id: string }>(
    `UPDATE email_verifications SET used_at = now()
     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
     RETURNING user_id`,
    [tokenHash],
  );
  return rows[0]?.user_id ?? null;
}

/** Records that the user proved the address; the first proof's time is kept. */
export async function markEmailVerified(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()), updated_at = now() WHERE id = $1', [userId]);
}

/** Whether the user's address is verified; null when the user does not exist. */
export async function isEmailVerified(db: Queryable, userId: string): Promise<boolean | null> {
  const { rows } = await db.query<{ is_verified: boolean }>('SELECT email_verified_at IS NOT NULL AS is_verified FROM users WHERE id = $1', [userId]);
  return rows[0]?.is_verified ?? null;
}
