import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { AppError, authenticateAccessToken, parseOrThrow, type Config, type Queryable } from '@todo/core';
import { sendProblem } from './problem.js';

type AnySchema = z.ZodType;
type Out<S> = S extends AnySchema ? z.output<S> : undefined;

export interface RouteResponse {
  description: string;
  schema?: AnySchema;
}

export interface RouteContext<P, Q, B, IsAuth extends boolean> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  /** The authenticated user's id (the token's subject). */
  userId: IsAuth extends true ? string : undefined;
  /** The client IP, from X-Forwarded-For as far as TRUST_PROXY allows. */
  ip: string;
  req: Request;
  res: Response;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Returned by a handler that wrote the response itself (an event stream). */
export const STREAMED = Symbol('streamed');

/**
 * One HTTP operation: its schemas validate the request and, read again by `buildOpenApiDocument`,
 * document it, so the docs cannot drift from what is enforced.
 */
export interface RouteDefinition<
  P extends AnySchema | undefined = AnySchema | undefined,
  Q extends AnySchema | undefined = AnySchema | undefined,
  B extends AnySchema | undefined = AnySchema | undefined,
  IsAuth extends boolean = boolean,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path: /api/{user_id}/tasks/{task_id}. A {user_id} must be the token's user. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  isAuthenticated: IsAuth;
  /** Also accept the access token as ?access_token= (EventSource cannot send headers). Never logged. */
  acceptsQueryToken?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads, as an object schema: documented only, each route checks its own. */
  headers?: AnySchema;
  responses: Record<number, RouteResponse>;
  handle(ctx: RouteContext<P, Q, B, IsAuth>): Promise<RouteResult | typeof STREAMED>;
}

/** Identity function that lets TypeScript infer a route's schema types for its handler. */
export function defineRoute<
  P extends AnySchema | undefined = undefined,
  Q extends AnySchema | undefined = undefined,
  B extends AnySchema | undefined = undefined,
  IsAuth extends boolean = false,
>(route: RouteDefinition<P, Q, B, IsAuth>): RouteDefinition {
  return route as unknown as RouteDefinition;
}

export function toExpressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

function bearerToken(req: Request, acceptsQueryToken: boolean): string | undefined {
  const header = req.headers.authorization;
  const queryToken = req.query.access_token;
  if (!header && acceptsQueryToken && typeof queryToken === 'string' && queryToken.length > 0) return queryToken;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError('unauthorized', 'Authorization header must be "Bearer <access token>".');
  return match[1];
}

function readBody(req: Request, route: RouteDefinition): unknown {
  if (req.body !== undefined) return req.body;
  // express.json() skipped the body: either there is none, or it is not JSON.
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody) {
    throw new AppError('unsupported_media_type', 'Request body must be JSON with Content-Type: application/json.');
  }
  return route.body ? {} : undefined;
}

export interface RouteDeps {
  db: Queryable;
  config: Config;
}

/** Registers each route: authenticate (401), check the path's user (403), validate (400), run, answer. */
export function mountRoutes(router: Router, deps: RouteDeps, routes: RouteDefinition[]): void {
  for (const route of routes) {
    router[route.method](toExpressPath(route.path), async (req: Request, res: Response) => {
      res.locals.routePath = route.path;
      try {
        let userId: string | undefined;
        if (route.isAuthenticated) {
          const token = bearerToken(req, route.acceptsQueryToken === true);
          if (!token) throw new AppError('unauthorized', 'This route needs an access token: Authorization: Bearer <token>.');
          userId = await authenticateAccessToken(deps, token);
          const pathUser = req.params.user_id;
          if (pathUser !== undefined && pathUser !== userId) {
            throw new AppError('forbidden', 'The user in the path is not the user of the access token.');
          }
        }
        const body = readBody(req, route);
        const ctx = {
          params: route.params ? parseOrThrow(route.params, req.params, 'The path') : undefined,
          query: route.query ? parseOrThrow(route.query, req.query, 'The query string') : undefined,
          body: route.body ? parseOrThrow(route.body, body, 'The request body') : undefined,
          userId,
          ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
          req,
          res,
        };
        const result = await route.handle(ctx as RouteContext<unknown, unknown, unknown, boolean>);
        if (result === STREAMED) return;
        for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
        if (result.body === undefined) res.status(result.status).end();
        else res.status(result.status).json(result.body);
      } catch (error) {
        if (error instanceof AppError && !res.headersSent) {
          if (error.code !== 'internal') req.log.warn({ code: error.code }, error.message);
          sendProblem(res, error);
          return;
        }
        throw error;
      }
    });
  }
}
