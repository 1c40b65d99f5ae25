import express, { type Request, type Response, type Router } from 'express';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AppError, assertEmailVerified, mcpResourceUrl, type Config, type Logger, type Pool, type Redis } from '@todo/core';
import { sendProblem } from '../http/problem.js';
import { createMcpServer } from './mcp-server.js';
import { createOAuthProvider } from './oauth-provider.js';

export interface McpRouterDeps {
  db: Pool;
  config: Config;
  logger: Logger;
  redis: Redis;
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
  router.all('/mcp', (req, _res, next) => {
    req.routePath = '/mcp';
    next();
  });
  // An OAuth access token must have been issued for this resource (RFC 8707 audience); personal
  // API tokens and sign-in access tokens are reported with it. A 401 names the Protected Resource
  // Metadata, where an MCP client starts the authorization flow.
  const resource = new URL(mcpResourceUrl(deps.config));
  const authenticate = requireBearerAuth({
    verifier: createOAuthProvider(deps),
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(resource),
    expectedResource: resource,
  });
  router.post('/mcp', authenticate, async (req: Request, res: Response) => {
    const userId = req.auth!.extra!.userId as string;

    try {
      await assertEmailVerified(deps, userId);
    } catch (error) {
      if (error instanceof AppError) return sendProblem(res, error);
      throw error;
    }

    const logger = req.log.child({ userId, clientId: req.auth!.clientId });
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
