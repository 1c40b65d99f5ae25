import express, { type Express, type Response } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import swaggerUi from 'swagger-ui-express';
import type { Config, Logger, Pool, QueueClient, Redis, TurnEventSubscriber } from '@todo/core';
import { adminAuth } from './http/admin-auth.js';
import { createHttpMetrics } from './http/metrics.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { errorHandler, notFoundHandler } from './http/problem.js';
import { requestLogger } from './http/request-log.js';
import { mountRoutes, type RouteDefinition } from './http/route.js';
import { adminContentSecurityPolicy, corsPolicy, docsContentSecurityPolicy, securityHeaders } from './http/security.js';
import { webAppRouter } from './http/web-app.js';
import { mcpRouter } from './mcp/mcp.router.js';
import { oauthRouter } from './mcp/oauth.router.js';
import { denyFramingOfConsentPage } from './mcp/consent-page-framing.js';
import { apiTokenRoutes } from './routes/api-tokens.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { chatRoutes } from './routes/chat.routes.js';
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
}

/** Every route of the JSON API; the OpenAPI document is generated from this same list. */
export function apiRoutes(deps: AppDeps): RouteDefinition[] {
  return [...healthRoutes(deps), ...authRoutes(deps), ...taskRoutes(deps), ...chatRoutes(deps), ...apiTokenRoutes(deps), ...oauthRoutes(deps)];
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
    options: { uiConfig: { boardTitle: 'Todo AI Chatbot' } },
  });
  app.use('/admin/queues', requireAdmin, adminContentSecurityPolicy(config), board.getRouter());

  app.use(mcpRouter(deps));
  app.use(webAppRouter(config));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
