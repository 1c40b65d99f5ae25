import { z } from 'zod';
import {
  ApiTokenListJsonSchema,
  apiTokenToJson,
  createApiToken,
  CreateApiTokenSchema,
  CreatedApiTokenJsonSchema,
  listApiTokens,
  MAX_ACTIVE_API_TOKENS,
  revokeApiToken,
} from '@todo/core';
import type { AppDeps } from '../app.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';

const tag = 'API tokens';
const UserPath = z.object({ user_id: z.string().meta({ format: 'uuid' }) });
const TokenPath = UserPath.extend({ token_id: z.uuid('must be a UUID') });

/**
 * Personal API tokens for MCP clients. These routes take an access token only: a personal token
 * works on /mcp and cannot mint or list other tokens.
 */
export function apiTokenRoutes({ db }: AppDeps): RouteDefinition[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/{user_id}/api-tokens',
      operationId: 'createApiToken',
      summary: 'Create a personal API token for an MCP client',
      description:
        `The raw token is in this response only; only its hash is stored. At most ${MAX_ACTIVE_API_TOKENS} working ` +
        'tokens per user (409 beyond). Use it as "Authorization: Bearer <token>" on /mcp.',
      tag,
      isAuthenticated: true,
      params: UserPath,
      body: CreateApiTokenSchema,
      responses: {
        201: { description: 'The new token, with its raw value', schema: CreatedApiTokenJsonSchema },
        409: { description: `The user already has ${MAX_ACTIVE_API_TOKENS} working tokens` },
      },
      async handle({ userId, body }) {
        const { apiToken, token } = await createApiToken(db, userId, body);
        return {
          status: 201,
          body: { ...apiTokenToJson(apiToken), token },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/api-tokens',
      operationId: 'listApiTokens',
      summary: 'List personal API tokens (never their values)',
      description: 'Revoked tokens are left out; expired ones are listed with their past expires_at until deleted.',
      tag,
      isAuthenticated: true,
      params: UserPath,
      responses: { 200: { description: 'The tokens, oldest first', schema: ApiTokenListJsonSchema } },
      async handle({ userId }) {
        return { status: 200, body: { api_tokens: (await listApiTokens(db, userId)).map(apiTokenToJson) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/{user_id}/api-tokens/{token_id}',
      operationId: 'revokeApiToken',
      summary: 'Revoke a personal API token; it stops working at once',
      tag,
      isAuthenticated: true,
      params: TokenPath,
      responses: { 204: { description: 'Revoked' }, 404: { description: 'No such token for this user' } },
      async handle({ userId, params }) {
        await revokeApiToken(db, userId, params.token_id);
        return { status: 204 };
      },
    }),
  ];
}
