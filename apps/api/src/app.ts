import express, { type Express, type Response } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import swaggerUi from 'swagger-ui-express';
import type { Config, Logger, Pool, QueueClient, Redis, TokenVersionCache, TurnEventSubscriber } from '@todo/core';
import { adminAuth } from './http/admin-auth.js';
import { createHttpMetrics } from './http/metrics.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { errorHandler, notFoundHandler } from './http/problem.js';
import { requestLogger } from './http/request-log.js';
import { mountRoutes, type RouteDefinition } from './http/route.js';
import {
  adminContentSecurityPolicy,
  corsPolicy,
  docsContentSecurityPolicy,
  securityHeaders,
  withoutExternalFonts,
} from './http/security.js';
import { webAppRouter } from './http/web-app.js';
import { mcpRouter } from './mcp/mcp.router.js';
import { accountRoutes } from './routes/account.routes.js';
import { oauthRouter } from './mcp/oauth.router.js';
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
  openStreams: Set<Response>;
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

/** Builds the Express app from its dependencies; listening and shutdown belong to main.ts. */
export function createApp(deps: AppDeps): Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  const metrics = createHttpMetrics(deps);
  app.use(metrics.middleware);
  app.use(requestLogger(deps.logger));
  app.use(securityHeaders(config));
  // The OAuth authorization server for /mcp answers any origin (browser-based MCP clients), so it comes before CORS.
  app.use(oauthRouter(deps));
  app.use(denyFramingOfConsentPage());
  app.use(corsPolicy(config));
  app.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }));

  const routes = apiRoutes(deps);
  const router = express.Router();
  mountRoutes(router, deps, routes);
  app.use(router);

  const openApiDocument = buildOpenApiDocument(routes, { version: config.version });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use('/docs', docsContentSecurityPolicy(config), swaggerUi.serve, swaggerUi.setup(openApiDocument, {
    customSiteTitle: 'Todo AI Chatbot API',
  }));

  const requireAdmin = adminAuth(config, deps.redis);
  app.get('/metrics', requireAdmin, metrics.handler);
  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    queues: Object.values(deps.queue.queues).map((q) => new BullMQAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Todo AI Chatbot', theme: { light: SYSTEM_FONTS, dark: SYSTEM_FONTS } } },
  });
  app.use('/admin/queues', requireAdmin, adminContentSecurityPolicy(config), withoutExternalFonts(), board.getRouter());

  app.use(mcpRouter(deps));
  app.use(webAppRouter(config));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
