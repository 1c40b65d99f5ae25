import type { ServerResponse } from 'node:http';
import express from 'express';
import type { Config, Logger, Pool, QueueClient, Redis, TokenVersionCache, TurnEventSubscriber } from '@todo/core';
import { adminAuth } from './http/admin-auth.js';
import { lazyHandler } from './http/lazy-handler.js';
import { createHttpMetrics } from './http/metrics.js';
import type { OpenAPIObject } from './http/openapi.js';
import { errorHandler, notFoundHandler } from './http/problem.js';
import { requestLogger } from './http/request-log.js';
import { createRouteDispatcher, type RequestLayer, type RouteDefinition, type RouteDispatcher } from './http/route.js';
import {
  adminContentSecurityPolicy,
  corsPolicy,
  docsContentSecurityPolicy,
  securityHeaders,
  withoutExternalFonts,
} from './http/security.js';
import { webAppRouter } from './http/web-app.js';
import { accountRoutes } from './routes/account.routes.js';
import { isMcpPath, isOAuthServerPath } from './mcp/paths.js';
import { denyFramingOfConsentPage } from './mcp/consent-page-framing.js';
import { apiTokenRoutes } from './routes/api-tokens.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { chatRoutes } from './routes/chat.routes.js';
import { eventRoutes } from './routes/events.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { oauthRoutes } from './routes/oauth.routes.js';
import { taskRoutes } from './routes/tasks.routes.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Pool;
  redis: Redis;
  queue: QueueClient;
  /** Wakes event streams and waiting requests when a turn has news. */
  events: TurnEventSubscriber;
  /** Open event streams, ended with a final comment at shutdown. */
  openStreams: Set<ServerResponse>;
  /** Interval of SSE heartbeat comments; 15 s unless a test wants it shorter. */
  sseHeartbeatMs: number;
  /** Token versions cached per process (see ARCHITECTURE.md, access tokens); without it, one query per request. */
  tokenVersions?: TokenVersionCache;
}

/** Bull Board's font tokens: the operator's own fonts, so its page needs nothing from outside. */
const SYSTEM_FONTS = {
  'font-sans': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  'font-mono': 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
};

/** Every route of the JSON API; the OpenAPI document is generated from this same list. */
export function apiRoutes(deps: AppDeps): RouteDefinition[] {
  return [
    ...healthRoutes(deps),
    ...authRoutes(deps),
    ...taskRoutes(deps),
    ...chatRoutes(deps),
    ...apiTokenRoutes(deps),
    ...eventRoutes(deps),
    ...accountRoutes(deps),
    ...oauthRoutes(deps),
  ];
}

/** A connect-style middleware as a named dispatcher layer (it reads and writes only what node:http has). */
function layer(name: string, handle: unknown): RequestLayer {
  return { name, handle: handle as RequestLayer['handle'] };
}

/**
 * Builds the service's request listener from its dependencies; listening and shutdown belong to
 * server.ts. The JSON API's routes (apiRoutes) are served by the route dispatcher (http/route.ts)
 * on node:http directly; every other request goes to an Express app: the web app, the OpenAPI
 * document and Swagger UI, /metrics, Bull Board, the MCP endpoint and its OAuth server, 404s.
 * Both run the same layers first, the same instances: HTTP metrics, the request log (request
 * id), security headers, CORS, the JSON body parser.
 *
 * What many processes never serve is loaded on its first request (see lazyHandler), keeping its
 * modules out of the start time and the idle memory: the MCP endpoint and its OAuth authorization
 * server (the MCP SDK), the OpenAPI document, Swagger UI (/docs) and Bull Board (/admin/queues,
 * only once admin credentials were accepted). Routers that serve a few paths are entered only for
 * those paths, so a request does not walk their stacks.
 */
export function createApp(deps: AppDeps): RouteDispatcher {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  const metrics = createHttpMetrics(deps);
  const requestLog = requestLogger(deps.logger);
  const headers = securityHeaders(config);
  const cors = corsPolicy(config);
  const json = express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] });
  app.use(metrics.middleware);
  app.use(requestLog);
  app.use(headers);
  // The OAuth authorization server for /mcp answers any origin (browser-based MCP clients), so it
  // comes before CORS. Only its own paths enter it (its rate limiters and body parser included).
  const oauthServer = lazyHandler('The OAuth authorization server', logger, async () => {
    const { oauthRouter } = await import('./mcp/oauth.router.js');
    return oauthRouter(deps);
  });
  app.use((req, res, next) => (isOAuthServerPath(req.path) ? oauthServer(req, res, next) : next()));
  app.use(denyFramingOfConsentPage());
  app.use(cors);
  app.use(json);

  const routes = apiRoutes(deps);

  // Built from the same route list, once, on the first request for it.
  let openApiDocument: Promise<OpenAPIObject> | undefined;
  const loadOpenApiDocument = () =>
    (openApiDocument ??= import('./http/openapi.js').then(({ buildOpenApiDocument }) => buildOpenApiDocument(routes, { version: config.version })));
  app.get(
    '/openapi.json',
    lazyHandler('The OpenAPI document', logger, async () => {
      const document = await loadOpenApiDocument();
      return (_req, res) => {
        res.json(document);
      };
    }),
  );
  app.use(
    '/docs',
    docsContentSecurityPolicy(config),
    lazyHandler('The API documentation page', logger, async () => {
      const [{ default: swaggerUi }, document] = await Promise.all([import('swagger-ui-express'), loadOpenApiDocument()]);
      return express.Router().use(swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Todo AI Chatbot API' }));
    }),
  );

  const requireAdmin = adminAuth(config, deps.redis);
  app.get('/metrics', requireAdmin, metrics.handler);
  // Without ADMIN_PASSWORD, requireAdmin answers 404 and Bull Board is never loaded.
  app.use(
    '/admin/queues',
    requireAdmin,
    adminContentSecurityPolicy(config),
    withoutExternalFonts(),
    lazyHandler('The queue dashboard', logger, async () => {
      const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
        import('@bull-board/api'),
        import('@bull-board/api/bullMQAdapter'),
        import('@bull-board/express'),
      ]);
      const board = new ExpressAdapter();
      board.setBasePath('/admin/queues');
      createBullBoard({
        queues: Object.values(deps.queue.queues).map((q) => new BullMQAdapter(q)),
        serverAdapter: board,
        options: { uiConfig: { boardTitle: 'Todo AI Chatbot', theme: { light: SYSTEM_FONTS, dark: SYSTEM_FONTS } } },
      });
      return board.getRouter();
    }),
  );

  const mcp = lazyHandler('The MCP endpoint', logger, async () => {
    const { mcpRouter } = await import('./mcp/mcp.router.js');
    return mcpRouter(deps);
  });
  app.use((req, res, next) => (isMcpPath(req.path) ? mcp(req, res, next) : next()));
  app.use(webAppRouter(config));

  app.use(notFoundHandler);
  app.use(errorHandler);

  return createRouteDispatcher(deps, routes, {
    layers: [
      layer('HTTP metrics', metrics.middleware),
      layer('request log', requestLog),
      layer('security headers', headers),
      layer('CORS', cors),
      layer('JSON body parser', json),
    ],
    trustProxy: app.get('trust proxy fn') as (address: string, hop: number) => boolean,
    fallback: app,
  });
}
