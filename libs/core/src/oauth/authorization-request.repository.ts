import type { Queryable } from '../platform/db/index.js';
import { AUTHORIZATION_REQUEST_TTL_MINUTES } from './oauth-settings.js';

/** A request waiting for the user's decision, with what the consent page shows about its client. */
export interface AuthorizationRequest {
  clientId: string;
  clientName: string | null;
  redirectUri: string;
  codeChallenge: string;
  state: string | null;
  scopes: string[];
  resource: string;
  expiresAt: Date;
}

interface AuthorizationRequestRow {
  client_id: string;
  client_name: string | null;
  redirect_uri: string;
  code_challenge: string;
  state: string | null;
  scopes: string[];
  resource: string;
  expires_at: Date;
}

function toAuthorizationRequest(row: AuthorizationRequestRow): AuthorizationRequest {
  return {
    clientId: row.client_id,
    clientName: row.client_name,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    state: row.state,
    scopes: row.scopes,
    resource: row.resource,
    expiresAt: row.expires_at,
  };
}

export async function insertAuthorizationRequest(
  db: Queryable,
  input: { idHash: Buffer; clientId: string; redirectUri: string; codeChallenge: string; state: string | null; scopes: string[]; resource: string },
): Promise<void> {
  await db.query(
    `INSERT INTO oauth_authorization_requests (id_hash, client_id, redirect_uri, code_challenge, state, scopes, resource, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(mins => $8))`,
    [input.idHash, input.clientId, input.redirectUri, input.codeChallenge, input.state, input.scopes, input.resource, AUTHORIZATION_REQUEST_TTL_MINUTES],
  );
}

const SELECT_PENDING = `
  SELECT r.client_id, c.client_name, r.redirect_uri, r.code_challenge, r.state, r.scopes, r.resource, r.expires_at
  FROM oauth_authorization_requests r JOIN oauth_clients c ON c.client_id = r.client_id`;

/** A request that is neither decided nor expired. */
export async function findPendingAuthorizationRequest(db: Queryable, idHash: Buffer): Promise<AuthorizationRequest | null> {
  const { rows } = await db.query<AuthorizationRequestRow>(
    `${SELECT_PENDING} WHERE r.id_hash = $1 AND r.decided_at IS NULL AND r.expires_at > now()`,
    [idHash],
  );
  return rows[0] ? toAuthorizationRequest(rows[0]) : null;
}

/** Marks a pending request decided, atomically: of two concurrent decisions only one gets the request. */
export async function claimAuthorizationRequest(db: Queryable, idHash: Buffer): Promise<AuthorizationRequest | null> {
  const { rows } = await db.query<AuthorizationRequestRow>(
    `WITH claimed AS (
       UPDATE oauth_authorization_requests SET decided_at = now()
       WHERE id_hash = $1 AND decided_at IS NULL AND expires_at > now()
       RETURNING *
     )
     SELECT r.client_id, c.client_name, r.redirect_uri, r.code_challenge, r.state, r.scopes, r.resource, r.expires_at
     FROM claimed r JOIN oauth_clients c ON c.client_id = r.client_id`,
    [idHash],
  );
  return rows[0] ? toAuthorizationRequest(rows[0]) : null;
}

/** Expired requests are of no use to anyone; removed when new ones arrive. */
export async function deleteExpiredAuthorizationRequests(db: Queryable): Promise<void> {
  await db.query("DELETE FROM oauth_authorization_requests WHERE expires_at < now() - interval '1 hour'");
}
