import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@todo/core';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requestLogger: the request id (X-Request-Id). */
    id: string;
    /** Set by requestLogger: the request's child logger. */
    log: Logger;
    /** The route template the HTTP metrics label the request with, when a router sets one. */
    routePath?: string;
  }
}

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const CREDENTIAL_IN_URL = /[?&](?:access_token|token|request)=|\/api\/oauth\/requests\//i;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /[A-Za-z0-9._~-]/;

/**
 * Drops what carries credentials before logging: `?access_token=` on event streams, and the id
 * of a pending MCP authorization request (`?request=` of the consent page, and its API path).
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return url;
  // Escaped unreserved characters mean the same (RFC 3986, 6.2.2.2), and the routes read them
  // decoded: "access%5Ftoken=" is a token too. They are written out before looking.
  const normal = url.includes('%')
    ? url.replace(ESCAPE, (escape, hex: string) => {
        const char = String.fromCharCode(Number.parseInt(hex, 16));
        return UNRESERVED.test(char) ? char : escape;
      })
    : url;
  // One test first: nearly every URL has nothing to redact.
  if (!CREDENTIAL_IN_URL.test(normal)) return normal;
  return normal
    .replace(/([?&](?:access_token|token|request)=)[^&]*/gi, '$1[REDACTED]')
    .replace(/(\/api\/oauth\/requests\/)[^/?]+/i, '$1[REDACTED]');
}

/** What the request log reads of a request; Express's requests and the route dispatcher's both have it. */
type LoggedRequest = IncomingMessage & { id?: string; ip?: string; originalUrl?: string; log?: Logger };

/** The `req` object of every log line of a request. */
function summaryOf(req: LoggedRequest, id: string, url = redactUrl(req.originalUrl ?? req.url)) {
  return { id, method: req.method, url, ip: req.ip ?? req.socket?.remoteAddress };
}

/**
 * The request log, as a connect-style layer for the route dispatcher and the Express app alike.
 * One request id per request: the caller's X-Request-Id when it looks like an id, else a new
 * UUID; echoed back in X-Request-Id. `req.log` is a child logger whose lines all carry
 * `req: {id, method, url, ip}` (made on first use: most requests never log on their own). When
 * the response is done (or the connection closed first), one line:
 * `{req, res: {statusCode}, responseTime}` (ms) with the message "GET /path 200", at info, warn
 * (4xx) or error (5xx, with `err`). URLs are logged with credentials redacted (redactUrl).
 *
 * That line is written without the logger's key-based redaction (REDACT_PATHS): its shape is
 * fixed here and none of its keys is a secret's (level, time, pid, name, req.{id, method, url,
 * ip}, res.statusCode, responseTime, err, msg), so redaction could only cost time, 20 µs a line
 * (bench/RESULTS.md). Lines a route logs through `req.log` keep the redaction.
 */
export function requestLogger(logger: Logger) {
  const lineLogger = logger.child({}, { redact: { paths: [] } });
  return function requestLog(req: LoggedRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    const startedAt = Date.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get: () => (child ??= logger.child({ req: summaryOf(req, id) })),
      set: (value: Logger) => (child = value),
    });
    res.on('close', () => {
      const status = res.statusCode;
      const url = redactUrl(req.originalUrl ?? req.url);
      const line = { req: summaryOf(req, id, url), res: { statusCode: status }, responseTime: Date.now() - startedAt };
      const message = `${req.method} ${url} ${status}`;
      if (status >= 500) lineLogger.error({ ...line, err: new Error(`failed with status code ${status}`) }, message);
      else if (status >= 400) lineLogger.warn(line, message);
      else lineLogger.info(line, message);
    });
    next();
  };
}
