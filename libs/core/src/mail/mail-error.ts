import type { MailTransportName } from '../platform/config.js';

/** Why a transport cannot deliver, as /health reports it. */
export type MailFailureReason = 'auth_failed' | 'starttls_unavailable' | 'tls_failed' | 'forbidden' | 'rejected' | 'provider_error';

export interface MailDeliveryErrorOptions {
  transport: MailTransportName;
  /** Retrying cannot help (bad request, bad key, permanent SMTP reply): fail the job at once. */
  isPermanent: boolean;
  /** The provider's error code or status, for the row and Bull Board: never a key or an address. */
  code: string;
  /** The server could not be reached at all (network error, timeout), as opposed to answering with an error. */
  isUnreachable?: boolean;
  /** Reported by /health as `failing` with this reason. */
  reason?: MailFailureReason;
  /** From the provider's Retry-After (or rate-limit reset) header: the earliest sensible retry. */
  retryAfterMs?: number;
}

/**
 * The one error every transport throws: already classified, already safe to log. Classification
 * lives in each transport, because each speaks its own protocol (SMTP replies, HTTP statuses).
 */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
  readonly transport: MailTransportName;
  readonly isPermanent: boolean;
  readonly code: string;
  readonly isUnreachable: boolean;
  readonly reason?: MailFailureReason;
  readonly retryAfterMs?: number;

  constructor(message: string, options: MailDeliveryErrorOptions) {
    super(message);
    this.transport = options.transport;
    this.isPermanent = options.isPermanent;
    this.code = options.code;
    this.isUnreachable = options.isUnreachable ?? false;
    this.reason = options.reason;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** HTTP statuses after which a retry cannot succeed (the request or the key is wrong). */
const PERMANENT_HTTP_STATUSES = new Set([400, 401, 403, 404, 405, 413, 415, 422]);

/**
 * Classifies an HTTPS email API's answer: 429 and 5xx are transient (after Retry-After when
 * given); 400/401/403/404/422 and the like fail at once; anything else unexpected is retried.
 */
export function httpMailError(
  transport: MailTransportName,
  input: { status: number; providerCode?: string; detail?: string; retryAfter?: string | null; reason?: MailFailureReason },
): MailDeliveryError {
  const { status } = input;
  const code = input.providerCode ? `${status} ${input.providerCode}` : String(status);
  const isPermanent = PERMANENT_HTTP_STATUSES.has(status);
  const reason: MailFailureReason | undefined =
    input.reason ?? (status === 401 ? 'auth_failed' : status === 403 ? 'forbidden' : isPermanent ? 'rejected' : undefined);
  const detail = input.detail ? `: ${input.detail}` : '';
  return new MailDeliveryError(`${transport} answered ${code}${detail}`.slice(0, 300), {
    transport,
    isPermanent,
    code,
    reason,
    retryAfterMs: status === 429 || status >= 500 ? parseRetryAfter(input.retryAfter) : undefined,
  });
}

/** A request that got no HTTP answer at all (connection refused, DNS, timeout): transient. */
export function unreachableMailError(transport: MailTransportName, code: string): MailDeliveryError {
  return new MailDeliveryError(`${transport} could not be reached (${code})`, { transport, isPermanent: false, code, isUnreachable: true });
}

const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After as seconds or an HTTP date (RFC 9110), capped at an hour; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** Text safe for logs, rows and Bull Board: addresses masked out of provider messages. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'@]+@[^\s<>"']+/g, '<address>');
}

/** The custom BullMQ backoff type of mail jobs: exponential, but never sooner than the provider's Retry-After. */
export const MAIL_BACKOFF_TYPE = 'mail-retry-after';

/** Delay before retry `attemptsMade + 1`: base × 2^(attemptsMade − 1), or the provider's Retry-After if longer. */
export function mailRetryDelayMs(attemptsMade: number, baseDelayMs: number, error: unknown): number {
  const exponential = Math.round(2 ** Math.max(0, attemptsMade - 1) * baseDelayMs);
  const retryAfter = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof retryAfter === 'number' ? Math.max(exponential, retryAfter) : exponential;
}
