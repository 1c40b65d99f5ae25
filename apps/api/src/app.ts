import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Config, Logger, Pool, QueueClient, Redis } from '@todo/core';
import { buildOpenApiDocument } from './http/openapi.js';
import { errorHandler, notFoundHandler } from './http/problem.js';
import { requestLogger } from './http/request-log.js';
import { mountRoutes, type RouteDefinition } from './http/route.js';
import { corsPolicy, docsContentSecurityPolicy, securityHeaders } from './http/security.js';
import { authRoutes } from './routes/auth.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { taskRoutes } from './routes/tasks.routes.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Pool;
  redis: Redis;
  queue: QueueClient;
}

/** Builds the Express app from its dependencies; listening and shutdown belong to main.ts. */
export function createApp(deps: AppDeps): Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  app.use(requestLogger(deps.logger));
  app.use(securityHeaders(config));
  app.use(corsPolicy(config));
  app.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }));

  const routes: RouteDefinition[] = [...healthRoutes(deps), ...authRoutes(deps), ...taskRoutes(deps)];
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

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
