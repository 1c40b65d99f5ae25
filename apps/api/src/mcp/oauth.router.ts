import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { metadataHandler } from '@modelcontextprotocol/sdk/server/auth/handlers/metadata.js';
import { createOAuthMetadata, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { AppError, enforceRateLimits, hashOpaqueToken, mcpResourceUrl, OAUTH_SCOPES, type Config, type Pool, type Redis } from '@todo/core';
import { createOAuthProvider } from './oauth-provider.js';
import type { OAuthEndpoint } from './paths.js';

export interface OAuthRouterDeps {
  db: Pool;
  config: Config;
  redis: Redis;
}

/**
 * Per-IP limits of the authorization server's endpoints, counted in Redis so they hold across
 * replicas. The app sends only the paths `isOAuthServerPath` (paths.ts) accepts here, hence the
 * endpoints are listed there.
 */
const LIMITS: Record<OAuthEndpoint, { limit: number; windowSeconds: number }> = {
  '/register': { limit: 20, windowSeconds: 3600 },
  '/authorize': { limit: 60, windowSeconds: 60 },
  '/token': { limit: 60, windowSeconds: 60 },
  '/revoke': { limit: 60, windowSeconds: 60 },
};

/** Answers over the limit as the SDK's own limiter would: 429, an OAuth error body and Retry-After. */
function rateLimited({ redis, config }: OAuthRouterDeps, path: OAuthEndpoint): RequestHandler {
  const { limit, windowSeconds } = LIMITS[path];
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const subject = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      await enforceRateLimits(redis, config.redisKeyPrefix, [{ name: `oauth${path.replace('/', ':')}:ip`, subject, limit, windowSeconds }]);
      next();
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'rate_limited')) return next(error);
      res.setHeader('Retry-After', String(error.retryAfterSeconds ?? windowSeconds));
      res.status(429).json({ error: 'too_many_requests', error_description: error.message });
    }
  };
}

/**
 * The SDK checks a client secret by comparing strings with the registered `client_secret`, which
 * our clients store reports as the secret's SHA-256 (hex); hashing the presented one the same way
 * first keeps raw secrets out of the database.
 */
const hashPresentedClientSecret: RequestHandler[] = [
  express.urlencoded({ extended: false, limit: '10kb' }),
  (req, _res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body?.client_secret === 'string') body.client_secret = hashOpaqueToken(body.client_secret).toString('hex');
    next();
  },
];

/**
 * The authorization server for /mcp, built from the MCP SDK: Authorization Server Metadata
 * (RFC 8414), Protected Resource Metadata (RFC 9728, at the root and the /mcp path-suffixed
 * form), /register (RFC 7591), /authorize (code + PKCE S256), /token and /revoke (RFC 7009).
 * Every advertised URL comes from PUBLIC_URL, never from the Host header. Mounted before the
 * app's CORS policy: these endpoints are meant for any origin (browser-based MCP clients). The app
 * loads this module on the first request to one of its paths (`isOAuthServerPath`) and sends only
 * those here.
 */
export function oauthRouter(deps: OAuthRouterDeps): Router {
  const { config } = deps;
  const provider = createOAuthProvider(deps);
  const issuerUrl = new URL(config.publicUrl);
  const resourceServerUrl = new URL(mcpResourceUrl(config));
  const router = express.Router();

  router.use((req, _res, next) => {
    if (req.path in LIMITS || req.path.startsWith('/.well-known/oauth-')) req.routePath = req.path;
    next();
  });
  for (const path of Object.keys(LIMITS) as OAuthEndpoint[]) router.use(path, rateLimited(deps, path));
  router.use(['/token', '/revoke'], hashPresentedClientSecret);

  const options = {
    provider,
    issuerUrl,
    resourceServerUrl,
    scopesSupported: [...OAUTH_SCOPES],
    resourceName: 'Todo AI Chatbot',
  };
  router.use(
    mcpAuthRouter({
      ...options,
      authorizationOptions: { rateLimit: false },
      tokenOptions: { rateLimit: false },
      revocationOptions: { rateLimit: false },
      // Secrets do not expire: a client is cut off by disconnecting it, not by a clock.
      clientRegistrationOptions: { rateLimit: false, clientSecretExpirySeconds: 0 },
    }),
  );
  // RFC 9728 also lets a client look at the root form; it describes the same (only) resource.
  const protectedResource: OAuthProtectedResourceMetadata = {
    resource: resourceServerUrl.href,
    authorization_servers: [createOAuthMetadata(options).issuer],
    scopes_supported: options.scopesSupported,
    resource_name: options.resourceName,
  };
  const rootMetadata = metadataHandler(protectedResource);
  router.use('/.well-known/oauth-protected-resource', (req, res, next) => (req.path === '/' ? rootMetadata(req, res, next) : next()));
  return router;
}
