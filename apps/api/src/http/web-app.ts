import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import helmet from 'helmet';
import { AppError, type Config } from '@todo/core';
import { isMcpPath, isOAuthServerPath } from '../mcp/paths.js';
import { frameAncestorsOf } from './security.js';

/** apps/web/dist, from apps/api/src/http (tests) and apps/api/dist/http (built) alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/**
 * The web app's own pages (apps/web/src/app/router.tsx): these paths answer with index.html and
 * the router draws the page. Everything else that is not a file of the build stays the API's
 * 404, so /api, /health, /docs, /openapi.json, /mcp, /metrics, /admin and /.well-known never get
 * an HTML page by mistake; only a browser's navigation (Sec-Fetch-Dest: document) to an address
 * the API does not own gets the app's "Page not found" page, with status 404.
 */
export const WEB_APP_PATHS = ['/', '/tasks', '/chat', '/settings', '/sign-in', '/sign-up', '/forgot-password', '/reset-password', '/verify-email', '/oauth/authorize'];

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Paths the API answers for itself (its own, the MCP endpoint's and the OAuth server's): never the app's page, even for a browser's navigation. */
const API_OWN_PREFIX = /^\/(?:api|admin|docs|assets|metrics|health|openapi\.json)(?:[/?.]|$)/;
const isApiOwned = (path: string) => API_OWN_PREFIX.test(path) || isMcpPath(path) || isOAuthServerPath(path) || path.startsWith('/.well-known/');

/** The app's pages run only their own script and styles: no inline code, nothing from elsewhere. */
function webAppContentSecurityPolicy(config: Config) {
  const frameAncestors = frameAncestorsOf(config);
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors,
    },
  });
}

export interface WebAppOptions {
  /** The built app (index.html and assets/); default apps/web/dist. */
  root?: string;
}

/**
 * Serves the built web app: hashed files under /assets cached for a year, index.html never
 * cached, for the app's paths only. Without a build (the API alone, as in its tests) `/` is a
 * 404 that says how to build the app, and nothing else changes.
 */
export function webAppRouter(config: Config, { root = DEFAULT_WEB_ROOT }: WebAppOptions = {}): Router {
  const router = express.Router();
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    router.get('/', () => {
      throw new AppError('not_found', 'The web app is not built (apps/web/dist is missing): run `npm run build`.');
    });
    return router;
  }

  router.use(
    express.static(root, {
      index: false,
      redirect: false,
      setHeaders(res, path) {
        const isHashed = path.startsWith(join(root, 'assets'));
        res.setHeader('Cache-Control', isHashed ? IMMUTABLE : 'no-cache');
      },
    }),
  );
  // A middleware rather than a route: the app's pages are not API routes (the OpenAPI test lists those).
  const pages = new Set(WEB_APP_PATHS);
  const contentSecurityPolicy = webAppContentSecurityPolicy(config);
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const isPage = pages.has(req.path);
    // A person who follows a stale link or mistypes an address gets the app's "Page not found"
    // page (with a 404), not a JSON problem; programs, and paths the API owns, still get the JSON.
    const isLostNavigation = !isPage && req.headers['sec-fetch-dest'] === 'document' && !isApiOwned(req.path);
    if (!isPage && !isLostNavigation) return next();
    contentSecurityPolicy(req, res, (error?: unknown) => {
      if (error) return next(error);
      res.setHeader('Cache-Control', 'no-cache');
      if (isLostNavigation) res.status(404);
      res.sendFile(indexFile);
    });
  });
  return router;
}
