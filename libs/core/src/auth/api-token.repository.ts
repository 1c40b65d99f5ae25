import type { Queryable } from '../platform/db/index.js';

export interface ApiToken {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

interface ApiTokenRow {
  id: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, name, created_at, expires_at, last_used_at';

function toApiToken(row: ApiTokenRow): ApiToken {
  return { id: row.id, name: row.name, createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at };
}

/**
 * Locks the owner's row for the rest of the transaction, so that counting and inserting tokens
 * is not raced by a concurrent create. Returns false when the user does not exist.
 */
export async function lockApiTokenOwner(db: Queryable, userId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
  return (rowCount ?? 0) > 0;
}

/** Tokens that still work: not revoked and not expired. */
export async function countActiveApiTokens(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM api_tokens
     WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [userId],
  );
  return rows[0]?.count ?? 0;
}

export async function insertApiToken(
  db: Queryable,
  input: { userId: string; name: string; tokenHash: Buffer; expiresInDays: number | null },
): Promise<ApiToken> {
  const { rows } = await db.query<ApiTokenRow>(
    `INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(days => $4))
     RETURNING ${COLUMNS}`,
    [input.userId, input.name, input.tokenHash, input.expiresInDays],
  );
  return toApiToken(rows[0]!);
}

/** The user's tokens that are not revoked (expired ones included, so they can be recognised and deleted), oldest first. */
export async function selectApiTokens(db: Queryable, userId: string): Promise<ApiToken[]> {
  const { rows } = await db.query<ApiTokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id`,
    [userId],
  );
  return rows.map(toApiToken);
}

/** Returns whether the user had such a token that was not yet revoked. */
export async function revokeApiTokenRow(db: Queryable, userId: string, tokenId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL',
    [userId, tokenId],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Finds the user of a working token by its hash and, in the same statement, records the use
 * when the last record is over a minute old, so that frequent calls do not each write a row.
 */
export async function useApiToken(db: Queryable, tokenHash: Buffer): Promise<{ tokenId: string; userId: string } | null> {
  const { rows } = await db.query<{ id: string; user_id: string }>(
    `WITH token AS (
       SELECT id, user_id, last_used_at FROM api_tokens
       WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
     ), touched AS (
       UPDATE api_tokens SET last_used_at = now()
       FROM token
       WHERE api_tokens.id = token.id AND (token.last_used_at IS NULL OR token.last_used_at < now() - interval '1 minute')
     )
     SELECT id, user_id FROM token`,
    [tokenHash],
  );
  const row = rows[0];
  return row ? { tokenId: row.id, userId: row.user_id } : null;
}

/** Revokes every personal API token of the user (a password reset: the account may have been taken over). */
export async function revokeAllApiTokens(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
}
