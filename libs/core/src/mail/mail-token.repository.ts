import type { Queryable } from '../platform/db/index.js';

/**
 * The mailed one-time links. Each kind keeps its requests in a table of the same shape
 * (migrations 0002 and 0009): id, user_id, token_salt, token_hash, expires_at, used_at, status,
 * attempts, last_error, sent_at, provider_message_id, created_at.
 */
export type MailTokenKind = 'password-reset' | 'email-verification';

/** Table names come only from here, never from input. */
const TABLES: Record<MailTokenKind, string> = {
  'password-reset': 'password_reset_requests',
  'email-verification': 'email_verifications',
};

export interface MailTokenRequestForSending {
  id: string;
  status: 'pending' | 'sent' | 'failed';
  tokenSalt: Buffer;
  attempts: number;
  email: string;
  name: string;
  isEmailVerified: boolean;
}

/**
 * Counts an attempt and fixes the token salt on the first one, so every attempt derives the same
 * token. Null when the request does not exist or is spent.
 */
export async function startMailTokenSendAttempt(db: Queryable, kind: MailTokenKind, id: string, newSalt: Buffer): Promise<MailTokenRequestForSending | null> {
  const { rows } = await db.query<{
    id: string;
    status: MailTokenRequestForSending['status'];
    token_salt: Buffer;
    attempts: number;
    email: string;
    name: string;
    email_verified_at: Date | null;
  }>(
    `UPDATE ${TABLES[kind]} r
     SET token_salt = COALESCE(r.token_salt, $2), attempts = r.attempts + 1
     FROM users u
     WHERE r.id = $1 AND u.id = r.user_id AND r.used_at IS NULL
     RETURNING r.id, r.status, r.token_salt, r.attempts, u.email, u.name, u.email_verified_at`,
    [id, newSalt],
  );
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, status: row.status, tokenSalt: row.token_salt, attempts: row.attempts, email: row.email, name: row.name, isEmailVerified: row.email_verified_at !== null };
}

/**
 * Makes the token usable before the mail leaves: the link must work the moment the user can have
 * it. Each attempt restarts the lifetime (`ttlSeconds`), so a mail delayed by retries still gets
 * the full window.
 */
export async function armMailToken(db: Queryable, kind: MailTokenKind, id: string, tokenHash: Buffer, ttlSeconds: number): Promise<void> {
  await db.query(`UPDATE ${TABLES[kind]} SET token_hash = $2, expires_at = now() + make_interval(secs => $3) WHERE id = $1`, [id, tokenHash, ttlSeconds]);
}

/** The provider's message id is kept (at most 200 characters) to trace a mail in its logs. */
export async function markMailTokenSent(db: Queryable, kind: MailTokenKind, id: string, providerMessageId?: string): Promise<void> {
  await db.query(`UPDATE ${TABLES[kind]} SET status = 'sent', sent_at = now(), last_error = NULL, provider_message_id = $2 WHERE id = $1`, [
    id,
    providerMessageId?.slice(0, 200) ?? null,
  ]);
}

/** Failed for good (a permanent refusal or the last attempt); a request already sent stays sent. */
export async function markMailTokenFailed(db: Queryable, kind: MailTokenKind, id: string, error: string): Promise<void> {
  await db.query(`UPDATE ${TABLES[kind]} SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent'`, [id, error.slice(0, 500)]);
}

/** A failed attempt that will be retried: only its reason is kept (at most 500 characters). */
export async function recordMailTokenError(db: Queryable, kind: MailTokenKind, id: string, error: string): Promise<void> {
  await db.query(`UPDATE ${TABLES[kind]} SET last_error = $2 WHERE id = $1`, [id, error.slice(0, 500)]);
}

/** Requests accepted in the last day but not yet sent: re-enqueued by the worker's sweep when Redis lost their jobs. */
export async function findPendingMailTokenIds(db: Queryable, kind: MailTokenKind, limit = 500): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM ${TABLES[kind]}
     WHERE status = 'pending' AND used_at IS NULL AND created_at > now() - interval '1 day'
     ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** Spends every unspent request of the user: their links stop working and their queued mails are not sent. */
export async function spendUserMailTokens(db: Queryable, kind: MailTokenKind, userId: string): Promise<void> {
  await db.query(`UPDATE ${TABLES[kind]} SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [userId]);
}
