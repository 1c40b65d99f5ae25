import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import type { Config } from '@todo/core';

/**
 * The six security headers. The API serves JSON, so its CSP allows nothing; framing is denied
 * unless FRAME_ANCESTORS names who may frame the app (the Hugging Face Space page).
 * X-XSS-Protection is "0", as OWASP advises: the old filter's "1; mode=block" opened leaks.
 */
/** CSP frame-ancestors: FRAME_ANCESTORS (the Hugging Face Space page) when set, else nobody. */
export function frameAncestorsOf(config: Config): string[] {
  return config.frameAncestors.length > 0 ? config.frameAncestors : ["'none'"];
}

export function securityHeaders(config: Config): RequestHandler {
  const frameAncestors = frameAncestorsOf(config);
  return fixedHeadersOf(helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors, baseUri: ["'none'"], formAction: ["'none'"] },
    },
    frameguard: config.frameAncestors.length > 0 ? false : { action: 'deny' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xXssProtection: true,
    crossOriginResourcePolicy: { policy: 'same-site' },
  }));
}

/**
 * Helmet decides the headers; with this configuration they are the same for every request (no
 * nonce, nothing read from the request), so they are taken once at start and each request gets
 * one loop of setHeader instead of helmet's dozen middleware calls. Throws at start if the
 * middleware ever does something else than set or remove headers synchronously.
 */
export function fixedHeadersOf(middleware: RequestHandler): RequestHandler {
  const set: [string, string][] = [];
  const removed: string[] = [];
  let isDone = false;
  const res = {
    setHeader(name: string, value: string) {
      set.push([name, value]);
      return res;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  void middleware({} as Parameters<RequestHandler>[0], res as unknown as Parameters<RequestHandler>[1], (error?: unknown) => {
    if (error) throw error;
    isDone = true;
  });
  if (!isDone) throw new Error('security headers: the middleware did not call next() synchronously');
  // Named: the benchmarks find this layer in Express's stack by its name.
  return function securityHeadersMiddleware(_req, response, next) {
    for (const name of removed) response.removeHeader(name);
    for (const [name, value] of set) response.setHeader(name, value);
    next();
  };
}

/** The interactive docs page runs Swagger UI's own script and styles from this origin. */
export function docsContentSecurityPolicy(config: Config): RequestHandler {
  const frameAncestors = frameAncestorsOf(config);
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors,
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  });
}

/** CORS for the FRONTEND_URL origins only, with credentials. Other origins get no CORS headers. */
export function corsPolicy(config: Config): RequestHandler {
  const allowed = new Set(config.frontendUrls);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Idempotency-Key',
      'Last-Event-ID',
      'Prefer',
      'X-Request-Id',
      // The web app's opt-in to the refresh-token cookie (apps/api/src/http/session-cookie.ts).
      'X-Refresh-Cookie',
      // Browser-based MCP clients send these to /mcp.
      'Mcp-Protocol-Version',
      'Mcp-Session-Id',
    ],
    exposedHeaders: ['Location', 'Retry-After', 'X-Request-Id', 'Preference-Applied', 'Mcp-Session-Id'],
    maxAge: 600,
  });
}

/** Bull Board's page (behind admin auth) runs its bundle and an inline bootstrap script. */
export function adminContentSecurityPolicy(config: Config): RequestHandler {
  const frameAncestors = frameAncestorsOf(config);
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors,
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
  });
}

/** A <link> to Google Fonts (stylesheet or preconnect), which Bull Board's page template carries. */
const EXTERNAL_FONT_LINK = /<link\b[^>]*\bhref="https:\/\/fonts\.(?:googleapis|gstatic)\.com[^"]*"[^>]*>\s*/gi;

/**
 * Bull Board's page asks Google for its fonts, which the CSP blocks (an error on every load) and
 * which leaks operators' visits. This drops those links from the HTML it renders; the theme's
 * font tokens (app.ts) name system fonts instead. The template has no option for it (9.10).
 */
export function withoutExternalFonts(): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace(EXTERNAL_FONT_LINK, '') : body);
    next();
  };
}
