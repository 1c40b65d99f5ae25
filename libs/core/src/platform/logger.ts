import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'password',
  'new_password',
  'newPassword',
  'password_hash',
  'passwordHash',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'api_key',
  'apiKey',
  'secret',
  'authorization',
  'cookie',
];
const EMAIL_KEYS = ['email', 'to'];

/** Redaction paths: top-level keys, one level down, and request headers, should a line ever carry them. */
export const REDACT_PATHS = [
  ...[...SECRET_KEYS, ...EMAIL_KEYS].flatMap((key) => [key, `*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/** "alice@example.com" becomes "a***@example.com": enough to correlate, not enough to harvest. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 1) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if (EMAIL_KEYS.includes(key) && typeof value === 'string') return maskEmail(value);
  return '[REDACTED]';
}

export interface CreateLoggerOptions {
  level: LoggerOptions['level'];
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

export function createLogger({ level, name, destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level,
    name,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor },
    base: { pid: process.pid },
  };
  return destination ? pino(options, destination) : pino(options);
}
