import type { Queryable } from '../platform/db/index.js';
import { GRANT_IS_LIVE } from './oauth-grant.repository.js';

export async function insertAuthorizationCode(
  db: Queryable,
  input: { codeHash: Buffer; grantId: string; clientId: string; redirectUri: string; codeChallenge: string; ttlSeconds: number },
): Promise<void> {
  await db.query(
    `INSERT INTO oauth_authorization_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
    [input.codeHash, input.grantId, input.clientId, input.redirectUri, input.codeChallenge, input.ttlSeconds],
  );
}

export type AuthorizationCodeLookup =
  | { outcome: 'usable'; grantId: string; clientId: string; redirectUri: string; codeChallenge: string }
  | { outcome: 'spent'; grantId: string }
  | { outcome: 'unknown' };

/** Reads a code without spending it; a code used before is reported as spent (a replay). */
export async function findAuthorizationCode(db: Queryable, codeHash: Buffer): Promise<AuthorizationCodeLookup> {
  const { rows } = await db.query<{ grant_id: string; client_id: string; redirect_uri: string; code_challenge: string; is_used: boolean; is_expired: boolean }>(
    `SELECT grant_id, client_id, redirect_uri, code_challenge, used_at IS NOT NULL AS is_used, expires_at <= now() AS is_expired
     FROM oauth_authorization_codes WHERE code_hash = $1`,
    [codeHash],
  );
  const row = rows[0];
  if (!row || row.is_expired) return row?.is_used ? { outcome: 'spent', grantId: row.grant_id } : { outcome: 'unknown' };
  if (row.is_used) return { outcome: 'spent', grantId: row.grant_id };
  return { outcome: 'usable', grantId: row.grant_id, clientId: row.client_id, redirectUri: row.redirect_uri, codeChallenge: row.code_challenge };
}

/** Spends a code atomically: of two concurrent exchanges only one gets it. */
export async function claimAuthorizationCode(db: Queryable, codeHash: Buffer): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE oauth_authorization_codes SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()',
    [codeHash],
  );
  return (rowCount ?? 0) > 0;
}

export async function insertOAuthToken(
  db: Queryable,
  input: { tokenHash: Buffer; grantId: string; kind: 'access' | 'refresh'; ttlSeconds: number },
): Promise<void> {
  await db.query(
    `INSERT INTO oauth_tokens (token_hash, grant_id, kind, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [input.tokenHash, input.grantId, input.kind, input.ttlSeconds],
  );
}

/** A refresh token with the state of its grant, locked until the transaction ends so rotations of one token queue up. */
export interface RefreshTokenRecord {
  grantId: string;
  clientId: string;
  resource: string;
  scopes: string[];
  isGrantLive: boolean;
  isExpired: boolean;
  /** Seconds since it was rotated, or null when it is unused. */
  usedSecondsAgo: number | null;
}

export async function lockRefreshToken(db: Queryable, tokenHash: Buffer): Promise<RefreshTokenRecord | null> {
  const { rows } = await db.query<{
    grant_id: string;
    client_id: string;
    resource: string;
    scopes: string[];
    is_grant_live: boolean;
    is_expired: boolean;
    used_seconds_ago: number | null;
  }>(
    `SELECT t.grant_id, g.client_id, g.resource, g.scopes, ${GRANT_IS_LIVE} AS is_grant_live, t.expires_at <= now() AS is_expired,
            extract(epoch FROM now() - t.used_at)::float8 AS used_seconds_ago
     FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN users u ON u.id = g.user_id
     WHERE t.token_hash = $1 AND t.kind = 'refresh'
     FOR UPDATE OF t`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    grantId: row.grant_id,
    clientId: row.client_id,
    resource: row.resource,
    scopes: row.scopes,
    isGrantLive: row.is_grant_live,
    isExpired: row.is_expired,
    usedSecondsAgo: row.used_seconds_ago,
  };
}

export async function markRefreshTokenUsed(db: Queryable, tokenHash: Buffer): Promise<void> {
  await db.query('UPDATE oauth_tokens SET used_at = now() WHERE token_hash = $1', [tokenHash]);
}

/** Whether a refresh token of the grant is stored under this hash and still unused and unexpired. */
export async function isRefreshTokenLive(db: Queryable, grantId: string, tokenHash: Buffer): Promise<'live' | 'used' | 'dead'> {
  const { rows } = await db.query<{ used: boolean; expired: boolean }>(
    `SELECT used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM oauth_tokens
     WHERE token_hash = $1 AND grant_id = $2 AND kind = 'refresh'`,
    [tokenHash, grantId],
  );
  const row = rows[0];
  if (!row || row.expired) return 'dead';
  return row.used ? 'used' : 'live';
}

/** What a working access token stands for. */
export interface OAuthAccessTokenInfo {
  userId: string;
  clientId: string;
  resource: string;
  scopes: string[];
  expiresAt: Date;
}

/**
 * Finds a working access token (unexpired, its grant live) and, in the same statement, records
 * the grant's use when the last record is over a minute old.
 */
export async function useOAuthAccessToken(db: Queryable, tokenHash: Buffer): Promise<OAuthAccessTokenInfo | null> {
  const { rows } = await db.query<{ user_id: string; client_id: string; resource: string; scopes: string[]; expires_at: Date }>(
    `WITH token AS (
       SELECT g.id AS grant_id, g.user_id, g.client_id, g.resource, g.scopes, g.last_used_at, t.expires_at
       FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN users u ON u.id = g.user_id
       WHERE t.token_hash = $1 AND t.kind = 'access' AND t.expires_at > now() AND ${GRANT_IS_LIVE}
     ), touched AS (
       UPDATE oauth_grants SET last_used_at = now()
       FROM token
       WHERE oauth_grants.id = token.grant_id AND (token.last_used_at IS NULL OR token.last_used_at < now() - interval '1 minute')
     )
     SELECT user_id, client_id, resource, scopes, expires_at FROM token`,
    [tokenHash],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, clientId: row.client_id, resource: row.resource, scopes: row.scopes, expiresAt: row.expires_at } : null;
}

/** The grant a token (access or refresh) belongs to, if the client owns it. */
export async function findGrantIdOfToken(db: Queryable, tokenHash: Buffer, clientId: string): Promise<string | null> {
  const { rows } = await db.query<{ grant_id: string }>(
    `SELECT t.grant_id FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id
     WHERE t.token_hash = $1 AND g.client_id = $2`,
    [tokenHash, clientId],
  );
  return rows[0]?.grant_id ?? null;
}
