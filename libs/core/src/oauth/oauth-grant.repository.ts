import type { Queryable } from '../platform/db/index.js';

/** A grant: what one user allowed one client, with the audience and scopes of its tokens. */
export interface OAuthGrant {
  id: string;
  userId: string;
  clientId: string;
  resource: string;
  scopes: string[];
  /** False once revoked, or once the user's token version moved on (password reset or change). */
  isLive: boolean;
}

interface OAuthGrantRow {
  id: string;
  user_id: string;
  client_id: string;
  resource: string;
  scopes: string[];
  is_live: boolean;
}

function toOAuthGrant(row: OAuthGrantRow): OAuthGrant {
  return { id: row.id, userId: row.user_id, clientId: row.client_id, resource: row.resource, scopes: row.scopes, isLive: row.is_live };
}

/** Whether a grant still works: not revoked and issued at the user's current token version. */
export const GRANT_IS_LIVE = '(g.revoked_at IS NULL AND g.token_version = u.token_version)';

/** A new grant at the user's current token version; it lives until `expiresAt` unless a refresh token extends it. */
export async function insertOAuthGrant(
  db: Queryable,
  input: { userId: string; clientId: string; resource: string; scopes: string[]; ttlSeconds: number },
): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO oauth_grants (user_id, client_id, resource, scopes, token_version, expires_at)
     SELECT id, $2, $3, $4, token_version, now() + make_interval(secs => $5) FROM users WHERE id = $1
     RETURNING id`,
    [input.userId, input.clientId, input.resource, input.scopes, input.ttlSeconds],
  );
  return rows[0]?.id ?? null;
}

export async function findOAuthGrant(db: Queryable, grantId: string): Promise<OAuthGrant | null> {
  const { rows } = await db.query<OAuthGrantRow>(
    `SELECT g.id, g.user_id, g.client_id, g.resource, g.scopes, ${GRANT_IS_LIVE} AS is_live
     FROM oauth_grants g JOIN users u ON u.id = g.user_id WHERE g.id = $1`,
    [grantId],
  );
  return rows[0] ? toOAuthGrant(rows[0]) : null;
}

/** The grant now lives as long as its newest refresh token. */
export async function extendOAuthGrant(db: Queryable, grantId: string, ttlDays: number): Promise<void> {
  await db.query('UPDATE oauth_grants SET expires_at = now() + make_interval(days => $2) WHERE id = $1', [grantId, ttlDays]);
}

export async function revokeOAuthGrant(db: Queryable, grantId: string): Promise<void> {
  await db.query('UPDATE oauth_grants SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [grantId]);
}

/** Revokes every grant a user gave one client. Returns whether there was any. */
export async function revokeClientGrantsOfUser(db: Queryable, userId: string, clientId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE oauth_grants SET revoked_at = now() WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL',
    [userId, clientId],
  );
  return (rowCount ?? 0) > 0;
}

/** A client the user has connected, as listed beside personal API tokens. */
export interface ConnectedApp {
  clientId: string;
  clientName: string | null;
  redirectUris: string[];
  connectedAt: Date;
  lastUsedAt: Date | null;
}

/** The clients with at least one live grant of the user, first connected first. */
export async function selectConnectedApps(db: Queryable, userId: string): Promise<ConnectedApp[]> {
  const { rows } = await db.query<{ client_id: string; client_name: string | null; redirect_uris: string[]; connected_at: Date; last_used_at: Date | null }>(
    `SELECT c.client_id, c.client_name, c.redirect_uris, min(g.created_at) AS connected_at, max(g.last_used_at) AS last_used_at
     FROM oauth_grants g
     JOIN users u ON u.id = g.user_id
     JOIN oauth_clients c ON c.client_id = g.client_id
     WHERE g.user_id = $1 AND g.expires_at > now() AND ${GRANT_IS_LIVE}
     GROUP BY c.client_id
     ORDER BY connected_at, c.client_id`,
    [userId],
  );
  return rows.map((row) => ({
    clientId: row.client_id,
    clientName: row.client_name,
    redirectUris: row.redirect_uris,
    connectedAt: row.connected_at,
    lastUsedAt: row.last_used_at,
  }));
}
