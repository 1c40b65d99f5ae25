import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import { httpMailError, unreachableMailError, withoutAddresses, type MailDeliveryError } from '../mail-error.js';
import type { Mailer } from '../mailer.js';

const TIMEOUT_MS = 15_000;

interface SendGridFailure {
  code?: number | string;
  response?: { headers?: Record<string, string>; body?: { errors?: Array<{ message?: string; field?: string | null }> } };
}

/**
 * SendGrid's answer as a classified error. Its error bodies carry messages, not codes, so the
 * status and the first message (addresses masked) stand for the code. SendGrid's 429 carries
 * X-RateLimit-Reset (epoch seconds) rather than Retry-After; either is honoured.
 */
function classifySendGridError(error: unknown): MailDeliveryError {
  const e = (error ?? {}) as SendGridFailure;
  if (typeof e.code !== 'number' || !e.response) return unreachableMailError('sendgrid', typeof e.code === 'string' ? e.code : 'ENETWORK');
  const headers = e.response.headers ?? {};
  const first = e.response.body?.errors?.[0];
  const resetAt = Number(headers['x-ratelimit-reset']);
  const retryAfter = headers['retry-after'] ?? (Number.isFinite(resetAt) && resetAt > 0 ? String(Math.max(0, Math.ceil(resetAt - Date.now() / 1000))) : undefined);
  return httpMailError('sendgrid', {
    status: e.code,
    detail: first?.message ? withoutAddresses(`${first.field ? `${first.field}: ` : ''}${first.message}`) : undefined,
    retryAfter,
  });
}

/**
 * SendGrid v3 Mail Send through the official SDK (@sendgrid/mail over @sendgrid/client), with its
 * base URL set from SENDGRID_API_URL. Click tracking is off for these mails: it would route the
 * one-time token link through SendGrid's redirect host.
 */
export function createSendGridTransport(settings: { apiKey: string; baseUrl: string }, from: string): Mailer {
  const client = new Client();
  client.setApiKey(settings.apiKey);
  // setApiKey resets the base URL to the region's host, so the override comes after it.
  client.setDefaultRequest('baseUrl', `${settings.baseUrl}/`);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(TIMEOUT_MS);
  return {
    kind: 'sendgrid',
    async send(message) {
      try {
        const [response] = await mail.send({
          to: message.to,
          from,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: { 'Message-ID': message.messageId },
          trackingSettings: { clickTracking: { enable: false, enableText: false } },
        });
        const id = (response.headers as Record<string, string | undefined>)['x-message-id'];
        return { destination: `sendgrid ${settings.baseUrl}`, providerMessageId: id };
      } catch (error) {
        throw classifySendGridError(error);
      }
    },
    async check() {
      try {
        await client.request({ method: 'GET', url: '/v3/scopes' });
        return { state: 'configured' };
      } catch (error) {
        const failure = classifySendGridError(error);
        if (failure.isUnreachable) return { state: 'unreachable' };
        // A 403 only says the key lacks the scopes permission; Mail Send may still be granted.
        return failure.reason === 'auth_failed' ? { state: 'failing', reason: 'auth_failed' } : { state: 'configured' };
      }
    },
    close: () => undefined,
  };
}
