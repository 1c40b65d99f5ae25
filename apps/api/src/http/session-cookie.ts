import type { ServerResponse } from 'node:http';
import type { ApiRequest } from './route.js';
import { parseCookie, stringifySetCookie } from 'cookie';
import { z } from 'zod';
import { AppError, parseOrThrow, RefreshTokenBodySchema, sessionToJson, type Config, type Session } from '@todo/core';
import type { RouteResult } from './route.js';

/** The cookie that carries the refresh token for the web app; sent back only to the auth routes. */
export const REFRESH_COOKIE = 'todo_refresh';
const COOKIE_PATH = '/api/auth';
const HEADER = 'x-refresh-cookie';

/** Documents the opt-in header on the routes that set or read the cookie. */
export const RefreshCookieHeaderSchema = z.object({
  'X-Refresh-Cookie': z
    .literal('true')
    .optional()
    .meta({
      description:
        'For the web app: keep the refresh token in an HttpOnly cookie (todo_refresh, Path=/api/auth, SameSite=Strict) ' +
        'instead of the JSON body. Refresh and logout then read it from the cookie.',
    }),
});

/** Body of refresh and logout: the token, or nothing when it comes from the cookie. */
export const OptionalRefreshTokenBodySchema = RefreshTokenBodySchema.partial();

/**
 * CSRF guard of the cookie mode. A cross-site form cannot send the custom header at all, and a
 * cross-origin script can only after a CORS preflight that FRONTEND_URL allows; an Origin, when the
 * browser sends one, must also be this API's own origin or a FRONTEND_URL origin.
 */
function assertTrustedOrigin(req: ApiRequest, config: Config): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const ownOrigin = `${req.protocol}://${req.host}`;
  if (origin === ownOrigin || config.frontendUrls.includes(origin)) return;
  throw new AppError('forbidden', 'Cookie sessions are accepted only from this site or the configured web app origins.');
}

type CookieContext = { req: ApiRequest; config: Config };

/**
 * True when the client asked for the cookie (X-Refresh-Cookie: true), after checking that it may:
 * another header value is a 400, an untrusted Origin a 403. Call it before doing anything, so a
 * refused request changes nothing.
 */
export function isRefreshCookieMode({ req, config }: CookieContext): boolean {
  const value = req.headers[HEADER];
  if (value === undefined) return false;
  if (value !== 'true') {
    throw new AppError('validation_failed', 'X-Refresh-Cookie must be "true" when present.', {
      errors: [{ path: 'X-Refresh-Cookie', message: 'must be "true"' }],
    });
  }
  assertTrustedOrigin(req, config);
  return true;
}

function setRefreshCookie(req: ApiRequest, res: ServerResponse, value: string, maxAgeSeconds: number): void {
  res.appendHeader(
    'Set-Cookie',
    stringifySetCookie(REFRESH_COOKIE, value, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      maxAge: maxAgeSeconds,
    }),
  );
}

/** Tells the browser to forget the refresh cookie. */
export function clearRefreshCookie(req: ApiRequest, res: ServerResponse): void {
  setRefreshCookie(req, res, '', 0);
}

/**
 * The one way to answer with a session bundle. With X-Refresh-Cookie: true the refresh token goes
 * into the HttpOnly cookie and is left out of the JSON; otherwise the JSON carries it, as API
 * clients expect.
 */
export function sessionResult(
  { req, res, config }: CookieContext & { res: ServerResponse },
  session: Session,
  status = 200,
): RouteResult {
  const body = sessionToJson(session);
  const headers = { 'Cache-Control': 'no-store' };
  if (!isRefreshCookieMode({ req, config })) return { status, body, headers };
  setRefreshCookie(req, res, session.refreshToken, config.refreshTokenTtlDays * 86_400);
  const { refresh_token: _inCookie, ...rest } = body;
  return { status, body: rest, headers };
}

/**
 * The refresh token a refresh or logout request presents: the body's, or in cookie mode (and only
 * then) the cookie's. Without the header a missing body token is the same 400 as always, and the
 * cookie is ignored. Undefined only in cookie mode when the browser sent no cookie.
 */
export function presentedRefreshToken(context: CookieContext, body: { refresh_token?: string }): string | undefined {
  if (!isRefreshCookieMode(context)) return parseOrThrow(RefreshTokenBodySchema, body, 'The request body').refresh_token;
  if (body.refresh_token !== undefined) return body.refresh_token;
  const cookie = parseCookie(context.req.headers.cookie ?? '')[REFRESH_COOKIE];
  return cookie ? cookie : undefined;
}
