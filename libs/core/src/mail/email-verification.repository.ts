import type { Queryable } from '../platform/db/index.js';

export interface VerificationForSending {
  id: string;
  status: 'pending' | 'sent' | 'failed';
  tokenSalt: Buffer;
  attempts: number;
  email: string;
  name: string;
  isEmailVerified: boolean;
}

export async function insertEmailVerification(db: Queryable, userId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO email_verifications (user_id) VALUES ($1) RETURNING id', [userId]);
  return rows[0]!.id;
}

/** Counts an attempt and fixes the token salt on the first one, so every attempt derives the same token. */
export async function startVerificationSendAttempt(db: Queryable, id: string, newSalt: Buffer): Promise<VerificationForSending | null> {
  const { rows } = await db.query<{
    id: string;
    status: VerificationForSending['status'];
    token_salt: Buffer;
    attempts: number;
    email: string;
    name: string;
    email_verified_at: Date | null;
  }>(
    `UPDATE email_verifications v
     SET token_salt = COALESCE(v.token_salt, $2), attempts = v.attempts + 1
     FROM users u
     WHERE v.id = $1 AND u.id = v.user_id AND v.used_at IS NULL
     RETURNING v.id, v.status, v.token_salt, v.attempts, u.email, u.name, u.email_verified_at`,
    [id, newSalt],
  );
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, status: row.status, tokenSalt: row.token_salt, attempts: row.attempts, email: row.email, name: row.name, isEmailVerified: row.email_verified_at !== null };
}

/** Makes the link usable before the mail leaves; each attempt restarts its lifetime. */
export async function armVerificationToken(db: Queryable, id: string, tokenHash: Buffer, ttlHours: number): Promise<void> {
  await db.query('UPDATE email_verifications SET token_hash = $2, expires_at = now() + make_interval(hours => $3) WHERE id = $1', [id, tokenHash, ttlHours]);
}

export async function markVerificationSent(db: Queryable, id: string, providerMessageId?: string): Promise<void> {
  await db.query(
    `UPDATE email_verifications SET status = 'sent', sent_at = now(), last_error = NULL, provider_message_id = $2 WHERE id = $1`,
    [id, providerMessageId?.slice(0, 200) ?? null],
  );
}

export async function markVerificationFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE email_verifications SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent'`, [id, error.slice(0, 500)]);
}

export async function recordVerificationError(db: Queryable, id: string, error: string): Promise<void> {
  await db.query('UPDATE email_verifications SET last_error = $2 WHERE id = $1', [id, error.slice(0, 500)]);
}

/** Verification mails accepted but not yet sent: re-enqueued by the worker's sweep when Redis lost their jobs. */
export async function findPendingVerificationIds(db: Queryable, limit = 500): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM email_verifications
     WHERE status = 'pending' AND used_at IS NULL AND created_at > now() - interval '1 day'
     ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
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

/** Once the address is proven, the user's other verification links stop working. */
export async function spendOtherVerifications(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE email_verifications SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [userId]);
}

/** Whether the user's address is verified; null when the user does not exist. */
export async function isEmailVerified(db: Queryable, userId: string): Promise<boolean | null> {
  const { rows } = await db.query<{ is_verified: boolean }>('SELECT email_verified_at IS NOT NULL AS is_verified FROM users WHERE id = $1', [userId]);
  return rows[0]?.is_verified ?? null;
}
