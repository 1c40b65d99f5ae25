import express, { type Request, type Response, type Router } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AppError, assertEmailVerified, authenticateBearerToken, type Config, type Logger, type Queryable, type Redis } from '@todo/core';
import { sendProblem } from '../http/problem.js';
import { createMcpServer } from './mcp-server.js';

export interface McpRouterDeps {
  db: Queryable;
  config: Config;
  logger: Logger;
  redis: Redis;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Refuses with 401 and a WWW-Authenticate challenge (RFC 6750: no error code when no token was sent). */
function refuse(req: Request, res: Response, message: string, hasToken: boolean): void {
  const challenge = hasToken ? `Bearer realm="mcp", error="invalid_token", error_description="${message.replace(/"/g, "'")}"` : 'Bearer realm="mcp"';
  res.setHeader('WWW-Authenticate', challenge);
  req.log.warn({ code: 'unauthorized' }, message);
  sendProblem(res, new AppError('unauthorized', message));
}

function methodNotAllowed(_req: Request, res: Response): void {
  res.status(405).setHeader('Allow', 'POST').json({
    jsonrpc: '2.0',
    error: { code: -32000, message: 'Method not allowed: this stateless server takes JSON-RPC over POST only.' },
    id: null,
  });
}

/**
 * `/mcp`: the Streamable HTTP transport, stateless. Each POST gets a fresh server and transport
 * (no session id), so any API replica can answer any request; there is no SSE stream to resume,
 * hence 405 for GET and DELETE. Replies are plain JSON rather than a one-message event stream.
 */
export function mcpRouter(deps: McpRouterDeps): Router {
  const router = express.Router();
  router.all('/mcp', (_req, res, next) => {
    res.locals.routePath = '/mcp';
    next();
  });
  router.post('/mcp', async (req: Request, res: Response) => {
    const header = req.headers.authorization;
    if (!header) return refuse(req, res, 'This endpoint needs a personal API token or an access token: Authorization: Bearer <token>.', false);
    const token = BEARER.exec(header)?.[1];
    if (!token) return refuse(req, res, 'Authorization header must be "Bearer <token>".', true);
    let userId: string;
    try {
      userId = await authenticateBearerToken(deps, token);
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthorized') return refuse(req, res, error.message, true);
      throw error;
    }

    try {
      await assertEmailVerified(deps, userId);
    } catch (error) {
      if (error instanceof AppError) return sendProblem(res, error);
      throw error;
    }

    const logger = req.log.child({ userId });
    const server = createMcpServer(
      { db: deps.db, userId },
      { version: deps.config.version, logger, redis: deps.redis, redisKeyPrefix: deps.config.redisKeyPrefix },
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      logger.error({ err: error }, 'mcp request failed');
      if (!res.headersSent) {
        res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
      }
    }
  });
  router.get('/mcp', methodNotAllowed);
  router.delete('/mcp', methodNotAllowed);
  return router;
}
