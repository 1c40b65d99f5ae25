import type { Queryable } from '../platform/db/index.js';

export interface ResetRequestForSending {
  id: string;
  status: 'pending' | 'sent' | 'failed';
  tokenSalt: Buffer;
  attempts: number;
  email: string;
  name: string;
}

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

/** Counts an attempt and fixes the token salt on the first one, so every attempt derives the same token. */
export async function startResetSendAttempt(db: Queryable, id: string, newSalt: Buffer): Promise<ResetRequestForSending | null> {
  const { rows } = await db.query<{ id: string; status: ResetRequestForSending['status']; token_salt: Buffer; attempts: number; email: string; name: string }>(
    `UPDATE password_reset_requests r
     SET token_salt = COALESCE(r.token_salt, $2), attempts = r.attempts + 1
     FROM users u
     WHERE r.id = $1 AND u.id = r.user_id AND r.used_at IS NULL
     RETURNING r.id, r.status, r.token_salt, r.attempts, u.email, u.name`,
    [id, newSalt],
  );
  const row = rows[0];
  return row ? { id: row.id, status: row.status, tokenSalt: row.token_salt, attempts: row.attempts, email: row.email, name: row.name } : null;
}

/**
 * Makes the token usable before the mail leaves: the link must work the moment the user can have
 * it. Each attempt restarts the lifetime, so a mail delayed by retries still gets the full window.
 */
export async function armResetToken(db: Queryable, id: string, tokenHash: Buffer, ttlMinutes: number): Promise<void> {
  await db.query(
    `UPDATE password_reset_requests SET token_hash = $2, expires_at = now() + make_interval(mins => $3) WHERE id = $1`,
    [id, tokenHash, ttlMinutes],
  );
}

export async function markResetSent(db: Queryable, id: string, providerMessageId?: string): Promise<void> {
  await db.query(
    `UPDATE password_reset_requests SET status = 'sent', sent_at = now(), last_error = NULL, provider_message_id = $2 WHERE id = $1`,
    [id, providerMessageId?.slice(0, 200) ?? null],
  );
}

export async function markResetFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE password_reset_requests SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent'`, [
    id,
    error.slice(0, 500),
  ]);
}

export async function recordResetError(db: Queryable, id: string, error: string): Promise<void> {
  await db.query('UPDATE password_reset_requests SET last_error = $2 WHERE id = $1', [id, error.slice(0, 500)]);
}

/** Requests accepted but not yet sent: the source of truth when Redis lost their jobs. */
export async function findPendingResetRequestIds(db: Queryable, limit = 500): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM password_reset_requests
     WHERE status = 'pending' AND used_at IS NULL AND created_at > now() - interval '1 day'
     ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
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

/** After a reset, links from the user's other requests stop working too. */
export async function spendOtherResetRequests(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE password_reset_requests SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [userId]);
}
