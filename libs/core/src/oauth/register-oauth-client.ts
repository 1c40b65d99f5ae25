import { z } from 'zod';
import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Queryable } from '../platform/db/index.js';
import { insertOAuthClient, type OAuthClient } from './oauth-client.repository.js';
import { OAuthProtocolError } from './oauth-error.js';
import { isAllowedRedirectUri } from './redirect-uri.js';

/**
 * What we accept at registration, on top of RFC 7591's own schema (which the SDK applies first):
 * only the code flow, only public clients or client_secret_post (the SDK's token endpoint reads
 * the secret from the body only), redirect URIs we are willing to send codes to.
 */
const RegistrationPolicySchema = z.object({
  redirect_uris: z
    .array(z.string().max(2000))
    .min(1, 'at least one redirect URI is required')
    .max(10, 'at most 10 redirect URIs')
    .refine((uris) => uris.every(isAllowedRedirectUri), 'redirect URIs must be https, or http to a loopback host, without a fragment'),
  token_endpoint_auth_method: z.enum(['none', 'client_secret_post'], 'supported: none, client_secret_post').optional(),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token'], 'supported: authorization_code, refresh_token')).optional(),
  response_types: z.array(z.literal('code', 'supported: code')).optional(),
  client_name: z.string().trim().max(200, 'at most 200 characters').optional(),
});

export interface RegisterOAuthClientInput {
  clientId: string;
  /** The raw secret the SDK generated for a confidential client; only its hash is stored. */
  clientSecret?: string;
  /** The RFC 7591 metadata as parsed by the SDK. */
  metadata: Record<string, unknown>;
}

/** Stores a dynamically registered client, refusing metadata outside our policy with invalid_client_metadata. */
export async function registerOAuthClient(db: Queryable, input: RegisterOAuthClientInput): Promise<OAuthClient> {
  const parsed = RegistrationPolicySchema.safeParse(input.metadata);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OAuthProtocolError('invalid_client_metadata', `${issue.path.join('.') || 'metadata'}: ${issue.message}`);
  }
  const isPublic = parsed.data.token_endpoint_auth_method === 'none';
  if (!isPublic && !input.clientSecret) throw new OAuthProtocolError('invalid_client_metadata', 'a confidential client needs a secret');
  const metadata = {
    ...input.metadata,
    client_name: parsed.data.client_name || undefined,
    token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_post',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
  return insertOAuthClient(db, {
    clientId: input.clientId,
    clientSecretHash: isPublic ? null : hashOpaqueToken(input.clientSecret!),
    clientName: parsed.data.client_name || null,
    redirectUris: parsed.data.redirect_uris,
    metadata,
  });
}
