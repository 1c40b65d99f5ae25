import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import type { Config } from '@todo/core';

/**
 * The six security headers. The API serves JSON, so its CSP allows nothing; framing is denied
 * unless FRAME_ANCESTORS names who may frame the app (the Hugging Face Space page).
 * X-XSS-Protection is "0", as OWASP advises: the old filter's "1; mode=block" opened leaks.
 */
export function securityHeaders(config: Config): RequestHandler {
  const frameAncestors = config.frameAncestors.length > 0 ? config.frameAncestors : ["'none'"];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors, baseUri: ["'none'"], formAction: ["'none'"] },
    },
    frameguard: config.frameAncestors.length > 0 ? false : { action: 'deny' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xXssProtection: true,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
}

/** The interactive docs page runs Swagger UI's own script and styles from this origin. */
export function docsContentSecurityPolicy(config: Config): RequestHandler {
  const frameAncestors = config.frameAncestors.length > 0 ? config.frameAncestors : ["'none'"];
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
  const frameAncestors = config.frameAncestors.length > 0 ? config.frameAncestors : ["'none'"];
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
