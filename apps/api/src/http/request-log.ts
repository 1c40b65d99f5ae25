import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp, stdSerializers } from 'pino-http';
import type { Logger } from '@todo/core';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Drops what carries credentials before logging: `?access_token=` on event streams, and the id
 * of a pending MCP authorization request (`?request=` of the consent page, and its API path).
 */
export function redactUrl(url: string | undefined): string | undefined {
  return url
    ?.replace(/([?&](?:access_token|token|request)=)[^&]*/gi, '$1[REDACTED]')
    .replace(/(\/api\/oauth\/requests\/)[^/?]+/i, '$1[REDACTED]');
}

/**
 * One request id per request: the caller's X-Request-Id when it looks like an id, else a new
 * UUID; echoed back and attached to every log line of the request (`req.log`).
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    // The serializers read the raw request and response: pino-http's wrappers would first copy
    // every header into an object per request, only for these few fields to be picked from it.
    wrapSerializers: false,
    serializers: {
      // `ip` is Express's client address: X-Forwarded-For as far as TRUST_PROXY allows.
      req: (req: IncomingMessage & { id?: unknown; ip?: string; originalUrl?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.originalUrl ?? req.url),
        ip: req.ip ?? req.socket?.remoteAddress,
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
    customSuccessMessage: (req, res) => `${req.method} ${redactUrl(req.url)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${redactUrl(req.url)} ${res.statusCode}`,
  });
}
