import { Resend } from 'resend';
import { httpMailError, unreachableMailError, withoutAddresses, type MailDeliveryError } from '../mail-error.js';
import type { Mailer } from '../mailer.js';

const TIMEOUT_MS = 15_000;

interface ResendFailure {
  name?: string;
  message?: string;
  statusCode?: number | null;
}

/**
 * Resend's SDK returns errors instead of throwing: `{name, message, statusCode}`, where a null
 * status means no HTTP answer (network error or timeout). `name` is Resend's error code
 * (validation_error, invalid_api_key, rate_limit_exceeded, ...).
 */
function classifyResendError(error: ResendFailure, headers: Record<string, string> | null): MailDeliveryError {
  if (typeof error.statusCode !== 'number') return unreachableMailError('resend', error.name ?? 'ENETWORK');
  return httpMailError('resend', {
    status: error.statusCode,
    providerCode: error.name,
    detail: error.message ? withoutAddresses(error.message) : undefined,
    retryAfter: headers?.['retry-after'],
    // Resend answers a wrong key with 403 invalid_api_key, a missing one with 401.
    reason: error.name === 'invalid_api_key' || error.name === 'missing_api_key' ? 'auth_failed' : undefined,
  });
}

/**
 * Resend through its official SDK, with the `baseUrl` option from RESEND_API_URL. The message id
 * doubles as Resend's Idempotency-Key, so a retry after a crash between Resend's acceptance and
 * our commit is not sent twice (Resend keeps keys for 24 hours).
 */
export function createResendTransport(settings: { apiKey: string; baseUrl: string }, from: string): Mailer {
  const resend = new Resend(settings.apiKey, { baseUrl: settings.baseUrl });
  return {
    kind: 'resend',
    async send(message) {
      const { data, error, headers } = await resend.emails.send(
        {
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: { 'Message-ID': message.messageId },
        },
        { idempotencyKey: message.messageId, signal: AbortSignal.timeout(TIMEOUT_MS) } as { idempotencyKey: string },
      );
      if (error || !data) throw classifyResendError(error ?? { name: 'empty_response', statusCode: 502 }, headers);
      return { destination: `resend ${settings.baseUrl}`, providerMessageId: data.id };
    },
    async check() {
      const { error, headers } = await resend.domains.list({}, { signal: AbortSignal.timeout(TIMEOUT_MS) } as object);
      if (!error) return { state: 'configured' };
      // A sending-only key may not list domains: that answer proves the key is valid.
      if (error.name === 'restricted_api_key') return { state: 'configured' };
      const failure = classifyResendError(error, headers);
      if (failure.isUnreachable) return { state: 'unreachable' };
      return error.statusCode === 401 || error.statusCode === 403 ? { state: 'failing', reason: 'auth_failed' } : { state: 'configured' };
    },
    close: () => undefined,
  };
}
