/** Every failure the domain reports. The API maps each code to one HTTP status in one table. */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'email_not_verified'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal';

export interface FieldError {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// PostgreSQL: connection exceptions (class 08), shutting down / cannot connect now, too many connections.
const POSTGRES_OUTAGE_STATES = /^(08...|57P01|57P02|57P03|53300)$/;

/**
 * Whether an error means Postgres or Redis is unreachable (not a bug, not the client's fault):
 * the API answers those with 503 and Retry-After instead of a 500.
 */
export function isDependencyOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, name, message } = error as Error & { code?: unknown };
  if (typeof code === 'string' && (OUTAGE_CODES.has(code) || POSTGRES_OUTAGE_STATES.test(code))) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  return /Connection is closed|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
