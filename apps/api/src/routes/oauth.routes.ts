import { z } from 'zod';
import {
  ConnectedAppListJsonSchema,
  connectedAppToJson,
  decideAuthorizationRequest,
  disconnectConnectedApp,
  getAuthorizationRequest,
  listConnectedApps,
} from '@todo/core';
import type { AppDeps } from '../app.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';

const tag = 'MCP authorization';
const RequestPath = z.object({ request_id: z.string().max(100, 'at most 100 characters') });
const UserPath = z.object({ user_id: z.string().meta({ format: 'uuid' }) });
const ConnectedAppPath = UserPath.extend({ client_id: z.string().min(1).max(100, 'at most 100 characters') });

const AuthorizationRequestJsonSchema = z.object({
  client_id: z.string(),
  client_name: z.string().nullable().meta({ description: 'Self-declared by the application at registration; not verified' }),
  redirect_uri: z.string(),
  redirect_host: z.string().meta({ description: 'Where the browser goes after the decision (self-declared)' }),
  scopes: z.array(z.string()),
  expires_at: z.iso.datetime(),
});
const DecisionSchema = z.strictObject({ allow: z.boolean('must be true or false') });
const DecisionJsonSchema = z.object({
  redirect_to: z.string().meta({ description: "The application's redirect URI with code and state, or error=access_denied and state" }),
});
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * The consent step of the MCP authorization flow (the web app's /oauth/authorize page calls
 * these with the signed-in user's access token) and the user's list of connected apps.
 */
export function oauthRoutes({ db, config }: AppDeps): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/oauth/requests/{request_id}',
      operationId: 'getAuthorizationRequest',
      summary: 'What an MCP application asks for, to show on the consent page',
      description: 'The request id comes from the page URL the authorization endpoint redirected to; it expires after 10 minutes.',
      tag,
      isAuthenticated: true,
      params: RequestPath,
      responses: {
        200: { description: 'The pending request', schema: AuthorizationRequestJsonSchema },
        404: { description: 'Unknown, expired or already answered' },
      },
      async handle({ params }) {
        const request = await getAuthorizationRequest(db, params.request_id);
        return {
          status: 200,
          headers: NO_STORE,
          body: {
            client_id: request.clientId,
            client_name: request.clientName,
            redirect_uri: request.redirectUri,
            redirect_host: new URL(request.redirectUri).host,
            scopes: request.scopes,
            expires_at: request.expiresAt.toISOString(),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/oauth/requests/{request_id}/decision',
      operationId: 'decideAuthorizationRequest',
      summary: "Allow or deny an MCP application's request; answered once",
      description: 'Allow connects the application to the signed-in user; send the browser to redirect_to either way.',
      tag,
      isAuthenticated: true,
      params: RequestPath,
      body: DecisionSchema,
      responses: {
        200: { description: 'Where to send the browser', schema: DecisionJsonSchema },
        404: { description: 'Unknown, expired or already answered' },
      },
      async handle({ userId, params, body }) {
        const { redirectTo } = await decideAuthorizationRequest({ db, config }, { userId, requestId: params.request_id, isAllowed: body.allow });
        return { status: 200, headers: NO_STORE, body: { redirect_to: redirectTo } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/connected-apps',
      operationId: 'listConnectedApps',
      summary: 'MCP applications the user has connected by OAuth',
      tag,
      isAuthenticated: true,
      params: UserPath,
      responses: { 200: { description: 'The connected applications, first connected first', schema: ConnectedAppListJsonSchema } },
      async handle({ userId }) {
        return { status: 200, body: { connected_apps: (await listConnectedApps(db, userId)).map(connectedAppToJson) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/{user_id}/connected-apps/{client_id}',
      operationId: 'disconnectConnectedApp',
      summary: 'Disconnect an MCP application: its tokens stop working at once',
      tag,
      isAuthenticated: true,
      params: ConnectedAppPath,
      responses: { 204: { description: 'Disconnected' }, 404: { description: 'No such connected app for this user' } },
      async handle({ userId, params }) {
        await disconnectConnectedApp(db, userId, params.client_id);
        return { status: 204 };
      },
    }),
  ];
}
