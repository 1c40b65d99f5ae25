import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isDependencyOutage, type ErrorCode, type FieldError, type Logger } from '@todo/core';

/** The one mapping from domain error codes to HTTP statuses; a new code does not compile until it is added here. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  email_not_verified: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  service_unavailable: 503,
  internal: 500,
};

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'Validation failed',
  invalid_json: 'Malformed JSON',
  unsupported_media_type: 'Unsupported media type',
  payload_too_large: 'Payload too large',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  email_not_verified: 'Email address not verified',
  not_found: 'Not found',
  conflict: 'Conflict',
  rate_limited: 'Too many requests',
  service_unavailable: 'Service unavailable',
  internal: 'Internal server error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
}

export function toProblem(error: AppError, instance?: string): Problem {
  return {
    type: `urn:todo-ai-chatbot:problem:${error.code}`,
    title: TITLES[error.code],
    status: HTTP_STATUS[error.code],
    detail: error.message,
    code: error.code,
    instance,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

/** Answers `error` as an RFC 9457 problem (application/problem+json); `instance` is the request's path. */
export function sendProblem(res: ServerResponse, error: AppError): void {
  if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  if (error.code === 'unauthorized' && !res.hasHeader('WWW-Authenticate')) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="api", error="invalid_token"');
  }
  // Express rewrites req.url inside mounted routers; originalUrl keeps what the client asked for.
  const req = res.req as IncomingMessage & { originalUrl?: string };
  const json = JSON.stringify(toProblem(error, (req.originalUrl ?? req.url ?? '/').split('?')[0]));
  res.statusCode = HTTP_STATUS[error.code];
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

const bodyTooLarge = () => new AppError('payload_too_large', 'Request body is larger than the 100 kB limit.');
const bodyEncodingUnsupported = () => new AppError('unsupported_media_type', 'Request body encoding is not supported; send UTF-8 JSON.');
const bodyUnreadable = () => new AppError('validation_failed', 'Request body could not be read.');

/**
 * body-parser's errors carry a `type`; each becomes the client error it describes. Its untyped
 * client errors (a Content-Encoding: gzip body that does not inflate) are the client's too, by
 * status: never a logged 500.
 */
function fromBodyParserError(error: { type?: string; status?: number; expose?: boolean }): AppError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return bodyTooLarge();
    case 'entity.parse.failed':
      return new AppError('invalid_json', 'Request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return bodyEncodingUnsupported();
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return bodyUnreadable();
  }
  if (error.expose !== true || typeof error.status !== 'number' || error.status < 400 || error.status >= 500) return undefined;
  return error.status === 413 ? bodyTooLarge() : error.status === 415 ? bodyEncodingUnsupported() : bodyUnreadable();
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}.`));
};

/**
 * The one answer to an error, for the routes and the Express app alike: expected errors are
 * problems (a client's logged at warn by whoever threw them); anything else is a bug, a bare 500.
 */
export function answerError(error: unknown, req: IncomingMessage & { log: Logger }, res: ServerResponse): void {
  const appError =
    error instanceof AppError
      ? error
      : error instanceof URIError
        ? new AppError('validation_failed', 'The URL is not validly percent-encoded.')
        : fromBodyParserError((error ?? {}) as { type?: string; status?: number; expose?: boolean });
  if (res.headersSent) {
    req.log.error({ err: error }, 'error after response started');
    res.destroy();
    return;
  }
  if (appError) {
    if (HTTP_STATUS[appError.code] >= 500) req.log.error({ err: error }, appError.message);
    sendProblem(res, appError);
    return;
  }
  if (isDependencyOutage(error)) {
    req.log.error({ err: error }, 'dependency unavailable');
    sendProblem(res, new AppError('service_unavailable', 'A service this request needs is unavailable right now. Try again shortly.', { retryAfterSeconds: 5 }));
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  sendProblem(res, new AppError('internal', 'An unexpected error occurred. It has been logged; try again later.'));
}

/** answerError as the Express app's error middleware. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => answerError(error, req, res);
