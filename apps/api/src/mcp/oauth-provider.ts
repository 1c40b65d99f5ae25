import type { Response } from 'express';
import type { OAuthRegisteredClientsStore } from '@modelcontextprotocol/sdk/server/auth/clients.js';
import {
  InvalidClientMetadataError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
  type OAuthError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthorizationParams, OAuthServerProvider } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthClientInformationFull, OAuthTokenRevocationRequest, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import {
  AppError,
  authenticateBearerToken,
  authenticateOAuthAccessToken,
  consentPageUrl,
  exchangeAuthorizationCode,
  findAuthorizationCodeChallenge,
  findOAuthClient,
  isOAuthAccessToken,
  mcpResourceUrl,
  OAUTH_SCOPES,
  OAuthProtocolError,
  refreshOAuthTokens,
  registerOAuthClient,
  revokeOAuthToken,
  startAuthorization,
  type Config,
  type OAuthClient,
  type Pool,
} from '@todo/core';

export interface OAuthProviderDeps {
  db: Pool;
  config: Config;
}

/** The client id personal API tokens and sign-in access tokens are reported under on /mcp. */
export const PERSONAL_TOKEN_CLIENT_ID = 'personal-token';

const ERRORS: Record<OAuthProtocolError['code'], new (message: string) => OAuthError> = {
  invalid_request: InvalidRequestError,
  invalid_grant: InvalidGrantError,
  invalid_scope: InvalidScopeError,
  invalid_target: InvalidTargetError,
  invalid_client_metadata: InvalidClientMetadataError,
};

/** Runs a core call, turning its OAuth refusals into the SDK's errors (which the SDK answers with). */
async function speakingOAuth<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OAuthProtocolError) throw new ERRORS[error.code](error.message);
    throw error;
  }
}

/**
 * The SDK compares a presented client secret with `client_secret` as a string, so the stored
 * secret hash (hex) stands in for it and `hashPresentedClientSecret` hashes the presented one the
 * same way before the SDK's check: the raw secret is never stored.
 */
function toClientInformation(client: OAuthClient): OAuthClientInformationFull {
  return {
    ...(client.metadata as Omit<OAuthClientInformationFull, 'client_id'>),
    redirect_uris: client.redirectUris,
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.issuedAt.getTime() / 1000),
    ...(client.clientSecretHash ? { client_secret: client.clientSecretHash.toString('hex'), client_secret_expires_at: 0 } : {}),
  };
}

/**
 * Our authorization server for /mcp, over our users: the SDK's handlers speak the protocol
 * (metadata, registration, PKCE check, token and revocation endpoints); this provider stores and
 * decides, through core.
 */
export function createOAuthProvider({ db, config }: OAuthProviderDeps): OAuthServerProvider {
  const clientsStore: OAuthRegisteredClientsStore = {
    async getClient(clientId) {
      const client = await findOAuthClient(db, clientId);
      return client ? toClientInformation(client) : undefined;
    },
    async registerClient(info) {
      const { client_secret: clientSecret, ...metadata } = info as OAuthClientInformationFull;
      const client = await speakingOAuth(() =>
        registerOAuthClient(db, { clientId: metadata.client_id, clientSecret, metadata: { ...metadata, client_secret_expires_at: undefined } }),
      );
      // The raw secret goes back to the client in this response only.
      return { ...toClientInformation(client), ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}) };
    },
  };

  return {
    clientsStore,

    async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response) {
      const requestId = await speakingOAuth(() =>
        startAuthorization(
          { db, config },
          {
            clientId: client.client_id,
            redirectUri: params.redirectUri,
            codeChallenge: params.codeChallenge,
            state: params.state,
            scopes: params.scopes,
            resource: params.resource?.href,
          },
        ),
      );
      res.redirect(302, consentPageUrl(config, requestId));
    },

    async challengeForAuthorizationCode(client, code) {
      return speakingOAuth(() => findAuthorizationCodeChallenge(db, { clientId: client.client_id, code }));
    },

    async exchangeAuthorizationCode(client, code, _codeVerifier, redirectUri, resource): Promise<OAuthTokens> {
      return speakingOAuth(() =>
        exchangeAuthorizationCode({ db, config }, { clientId: client.client_id, code, redirectUri, resource: resource?.href }),
      );
    },

    async exchangeRefreshToken(client, refreshToken, scopes, resource): Promise<OAuthTokens> {
      return speakingOAuth(() =>
        refreshOAuthTokens({ db, config }, { clientId: client.client_id, refreshToken, scopes, resource: resource?.href }),
      );
    },

    async verifyAccessToken(token: string): Promise<AuthInfo> {
      if (isOAuthAccessToken(token)) {
        const info = await authenticateOAuthAccessToken(db, token);
        if (!info) throw new InvalidTokenError('Access token is invalid, expired or revoked.');
        return {
          token,
          clientId: info.clientId,
          scopes: info.scopes,
          expiresAt: Math.floor(info.expiresAt.getTime() / 1000),
          resource: new URL(info.resource),
          extra: { userId: info.userId },
        };
      }
      // A personal API token or a sign-in access token: made for /mcp by the user themselves.
      try {
        const userId = await authenticateBearerToken({ db, config }, token);
        return {
          token,
          clientId: PERSONAL_TOKEN_CLIENT_ID,
          scopes: [...OAUTH_SCOPES],
          expiresAt: Number.MAX_SAFE_INTEGER,
          resource: new URL(mcpResourceUrl(config)),
          extra: { userId },
        };
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthorized') throw new InvalidTokenError(error.message);
        throw error;
      }
    },

    async revokeToken(client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest) {
      await revokeOAuthToken(db, { clientId: client.client_id, token: request.token });
    },
  };
}
