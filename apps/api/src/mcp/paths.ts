/**
 * The paths the MCP endpoint and its authorization server answer, kept apart from their routers
 * (which need the MCP SDK) so that the app sends them, and loads them, only requests for these.
 */

/** The endpoints, each with its per-IP rate limit (see oauth.router.ts). */
export const OAUTH_ENDPOINTS = ['/register', '/authorize', '/token', '/revoke'] as const;
export type OAuthEndpoint = (typeof OAUTH_ENDPOINTS)[number];

/**
 * The paths the authorization server's router may answer: a superset of what its Express routers
 * match. Like them, case-insensitive, and an endpoint also matches below itself ("/token/",
 * "/token/x"), as `router.use(path)` does; plus the metadata documents under
 * /.well-known/oauth-* (oauth-authorization-server, oauth-protected-resource[/mcp]). Anchored, so
 * most other paths are refused by their second or third character.
 */
const OAUTH_SERVER_PATH = new RegExp(`^/(?:(?:${OAUTH_ENDPOINTS.map((e) => e.slice(1)).join('|')})(?:/|$)|\\.well-known/oauth-)`, 'i');

/**
 * Whether the authorization server may answer `path` (a request's pathname, not decoded). Every
 * other path skips its router, rate limiters and body parser.
 */
export function isOAuthServerPath(path: string): boolean {
  return OAUTH_SERVER_PATH.test(path);
}

/** Whether the MCP router may answer `path`: /mcp, as its routes match it (any case, optional trailing slash), or below. */
export function isMcpPath(path: string): boolean {
  return /^\/mcp(?:\/|$)/i.test(path);
}
