import type { Queryable } from '../platform/db/index.js';

/** A registered client as stored: the metadata it registered and, for a confidential client, its secret's hash. */
export interface OAuthClient {
  clientId: string;
  clientSecretHash: Buffer | null;
  clientName: string | null;
  redirectUris: string[];
  metadata: Record<string, unknown>;
  issuedAt: Date;
}

interface OAuthClientRow {
  client_id: string;
  client_secret_hash: Buffer | null;
  client_name: string | null;
  redirect_uris: string[];
  metadata: Record<string, unknown>;
  issued_at: Date;
}

function toOAuthClient(row: OAuthClientRow): OAuthClient {
  return {
    clientId: row.client_id,
    clientSecretHash: row.client_secret_hash,
    clientName: row.client_name,
    redirectUris: row.redirect_uris,
    metadata: row.metadata,
    issuedAt: row.issued_at,
  };
}

export async function insertOAuthClient(
  db: Queryable,
  input: { clientId: string; clientSecretHash: Buffer | null; clientName: string | null; redirectUris: string[]; metadata: Record<string, unknown> },
): Promise<OAuthClient> {
  const { rows } = await db.query<OAuthClientRow>(
    `INSERT INTO oauth_clients (client_id, client_secret_hash, client_name, redirect_uris, metadata)
     VALUES ($1, $2, $3, $4, $5)
     RETURNING client_id, client_secret_hash, client_name, redirect_uris, metadata, issued_at`,
    [input.clientId, input.clientSecretHash, input.clientName, input.redirectUris, JSON.stringify(input.metadata)],
  );
  return toOAuthClient(rows[0]!);
}

export async function findOAuthClient(db: Queryable, clientId: string): Promise<OAuthClient | null> {
  const { rows } = await db.query<OAuthClientRow>(
    'SELECT client_id, client_secret_hash, client_name, redirect_uris, metadata, issued_at FROM oauth_clients WHERE client_id = $1',
    [clientId],
  );
  return rows[0] ? toOAuthClient(rows[0]) : null;
}
