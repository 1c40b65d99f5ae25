import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import querystring, { type ParsedUrlQuery } from 'node:querystring';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import proxyAddr from 'proxy-addr';
import type { z } from 'zod';
import { AppError, authenticateAccessToken, parseOrThrow, type AuthenticateDeps, type Logger } from '@todo/core';
import { answerError, sendProblem } from './problem.js';

type AnySchema = z.ZodType;
type Out<S> = S extends AnySchema ? z.output<S> : undefined;

export interface RouteResponse {
  description: string;
  schema?: AnySchema;
}

/**
 * A request as routes see it: node's IncomingMessage with what the dispatcher adds, named and
 * computed as Express names and computes them.
 */
export interface ApiRequest extends IncomingMessage {
  /** X-Request-Id: the caller's when it looks like an id, else a new UUID (request-log.ts). */
  id: string;
  /** The request's logger: every line carries `req: {id, method, url, ip}`. */
  log: Logger;
  /** The client IP, from X-Forwarded-For as far as TRUST_PROXY allows. */
  ip: string;
  /** http or https; X-Forwarded-Proto when the peer is a trusted proxy. */
  protocol: string;
  secure: boolean;
  /** Host, or X-Forwarded-Host when the peer is a trusted proxy. */
  host: string;
  /** The query string, parsed as node:querystring does (Express's "simple" parser). */
  query: ParsedUrlQuery;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** The matched route's OpenAPI path (metrics label); undefined outside the routes. */
  routePath?: string;
}

export interface RouteContext<P, Q, B, IsAuth extends boolean> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  /** The authenticated user's id (the token's subject). */
  userId: IsAuth extends true ? string : undefined;
  /** The client IP, from X-Forwarded-For as far as TRUST_PROXY allows. */
  ip: string;
  req: ApiRequest;
  res: ServerResponse;
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

/** The request's access token: the Bearer header, or ?access_token= where the route accepts it. */
export function bearerToken(req: ApiRequest, acceptsQueryToken: boolean): string | undefined {
  const header = req.headers.authorization;
  const queryToken = req.query.access_token;
  if (!header && acceptsQueryToken && typeof queryToken === 'string' && queryToken.length > 0) return queryToken;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError('unauthorized', 'Authorization header must be "Bearer <access token>".');
  return match[1];
}

function readBody(req: ApiRequest, route: RouteDefinition): unknown {
  if (req.body !== undefined) return req.body;
  // express.json() skipped the body: either there is none, or it is not JSON.
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody) {
    throw new AppError('unsupported_media_type', 'Request body must be JSON with Content-Type: application/json.');
  }
  return route.body ? {} : undefined;
}

export type RouteDeps = AuthenticateDeps;

/** Runs one route on a request whose layers already ran: authenticate (401), check the path's user (403), validate (400), run, answer. */
async function runRoute(deps: RouteDeps, route: RouteDefinition, req: ApiRequest, res: ServerResponse): Promise<void> {
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
      ip: req.ip,
      req,
      res,
    };
    const result = await route.handle(ctx as RouteContext<unknown, unknown, unknown, boolean>);
    if (result === STREAMED) return;
    if (result.headers) for (const name in result.headers) res.setHeader(name, result.headers[name]!);
    res.statusCode = result.status;
    if (result.body === undefined) {
      res.end();
      return;
    }
    const json = JSON.stringify(result.body);
    if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(json));
    res.end(json);
  } catch (error) {
    if (error instanceof AppError && !res.headersSent) {
      if (error.code !== 'internal') req.log.warn({ code: error.code }, error.message);
      sendProblem(res, error);
      return;
    }
    answerError(error, req, res);
  }
}

/** A per-request step before the route (request log, metrics, headers, CORS, body): connect-style, named for the benchmarks. */
export interface RequestLayer {
  name: string;
  handle(req: ApiRequest, res: ServerResponse, next: (error?: unknown) => void): void;
}

export interface RouteDispatcherOptions {
  /** Run in order before every route; the benchmarks may take some out, production never does. */
  layers: RequestLayer[];
  /** Trust function of X-Forwarded-For hops (Express's compiled `trust proxy fn`). */
  trustProxy: (address: string, hop: number) => boolean;
  /** Serves every request that is not one of the routes (and every OPTIONS preflight). */
  fallback: RequestListener;
}

export interface RouteDispatcher extends RequestListener {
  /** The layers in the order they run; a benchmark may replace the array's contents. */
  layers: RequestLayer[];
  /** What serves every other request. */
  fallback: RequestListener;
  /** "GET /api/{user_id}/tasks" for each method and path the dispatcher registered with its router. */
  servedRoutes(): string[];
}


/** The first value of a comma-separated, proxy-set header. */
function firstOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim() || undefined;
}

/**
 * Serves the JSON API's routes on node:http directly, and hands everything else to `fallback`
 * (the Express app: web app, docs, MCP, OAuth, admin). Each route request runs the layers, then
 * the route. Routes are matched by find-my-way (Fastify's router, a radix tree): the same
 * matching as Express's for these paths (case-insensitive, a trailing slash ignored, parameters
 * percent-decoded, a malformed encoding under /api/ a 400), without Express's per-request
 * prototype swap and middleware walk, which cost a third of the throughput (bench/RESULTS.md).
 * The request gets `id`, `log`, `ip`, `protocol`, `secure`, `host`, `query` and `params` as
 * Express would give them (X-Forwarded-* trusted as TRUST_PROXY allows).
 */
export function createRouteDispatcher(deps: RouteDeps, routes: RouteDefinition[], options: RouteDispatcherOptions): RouteDispatcher {
  const { layers, trustProxy, fallback } = options;
  /** "GET /api/{user_id}/tasks" of each registered method and path. */
  const served: string[] = [];
  const router = FindMyWay({
    caseSensitive: false,
    ignoreTrailingSlash: true,
    maxParamLength: 4096,
    querystringParser: (search) => querystring.parse(search),
    onBadUrl: (path, req, res) => {
      if (!path.startsWith('/api/')) return fallback(req, res);
      serve(req as ApiRequest, res, undefined, {}, {});
    },
  });
  for (const route of routes) {
    const path = toFindMyWayPath(route.path);
    // Each segment of the path, lower-cased, or null for a parameter: see hasEncodedStaticSegment.
    const segments = route.path.split('/').map((segment) => (segment.startsWith('{') ? null : segment.toLowerCase()));
    // Express answers HEAD with the GET route (Node leaves the body out).
    for (const method of route.method === 'get' ? ['GET', 'HEAD'] : [route.method.toUpperCase()]) {
      router.on(method as HTTPMethod, path, () => undefined, { route, segments });
      served.push(`${method} ${route.path}`);
    }
  }

  function serve(req: ApiRequest, res: ServerResponse, route: RouteDefinition | undefined, params: Record<string, string | undefined>, query: ParsedUrlQuery): void {
    decorate(req, params, query, route);
    let index = 0;
    const next = (error?: unknown): void => {
      // connect-style: next(null) and next() both go on (cors calls next(null)).
      if (error) return answerError(error, req, res);
      const layer = layers[index++];
      if (layer) {
        try {
          layer.handle(req, res, next);
        } catch (thrown) {
          answerError(thrown, req, res);
        }
        return;
      }
      if (!route) return answerError(new AppError('validation_failed', 'The URL is not validly percent-encoded.'), req, res);
      void runRoute(deps, route, req, res).catch((thrown: unknown) => answerError(thrown, req, res));
    };
    next();
  }

  function decorate(req: ApiRequest, params: Record<string, string | undefined>, query: ParsedUrlQuery, route: RouteDefinition | undefined): void {
    // X-Forwarded-Proto and -Host count only from a trusted proxy, as in Express.
    const forwarded = trustProxy(req.socket.remoteAddress ?? '', 0);
    const protocol = forwarded ? (firstOf(req.headers['x-forwarded-proto']) ?? 'http') : 'http';
    req.params = params as Record<string, string>;
    req.query = query;
    req.routePath = route?.path;
    req.ip = proxyAddr(req, trustProxy);
    req.protocol = protocol;
    req.secure = protocol === 'https';
    req.host = (forwarded ? firstOf(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host ?? '';
  }

  const dispatcher: RouteDispatcher = Object.assign(
    (req: IncomingMessage, res: ServerResponse) => {
      // A fragment is not part of the target (a client should not send one; Express ignored it).
      const url = req.url ?? '/';
      const hash = url.indexOf('#');
      const target = hash === -1 ? url : url.slice(0, hash);
      const found = router.find(req.method as HTTPMethod, target);
      if (found === null) return fallback(req, res);
      const store = found.store as { route: RouteDefinition; segments: (string | null)[] } | null;
      if (store === null) return found.handler(req, res, found.params, found.store, found.searchParams);
      if (target.includes('%') && hasEncodedStaticSegment(target, store.segments)) return fallback(req, res);
      serve(req as ApiRequest, res, store.route, found.params, found.searchParams as ParsedUrlQuery);
    },
    {
      layers,
      fallback,
      servedRoutes: () => [...served],
    },
  );
  return dispatcher;
}

/**
 * Whether a matched target spells a fixed segment of its route with percent-escapes
 * (/api/%61uth/me): find-my-way decodes the whole path before matching, Express matched the raw
 * one. Such a target is not the route's: it goes to Express (a 404), so that rules written
 * against the literal paths (a proxy's, the log's redaction) cannot be sidestepped by encoding.
 */
function hasEncodedStaticSegment(target: string, segments: (string | null)[]): boolean {
  const query = target.indexOf('?');
  let path = query === -1 ? target : target.slice(0, query);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (path.charCodeAt(0) !== 47) path = path.slice(path.indexOf('/', path.indexOf('//') + 2)); // absolute-form
  const raw = path.split('/');
  if (raw.length !== segments.length) return true;
  return segments.some((segment, i) => segment !== null && raw[i]!.toLowerCase() !== segment);
}

/** /api/{user_id}/tasks -> /api/:user_id/tasks */
function toFindMyWayPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
