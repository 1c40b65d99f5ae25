import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';

export type MailProvider = 'sendgrid' | 'resend';

/** One accepted (or refused) send, normalised across providers for the test's assertions. */
export interface ApiMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageIdHeader: string | undefined;
  idempotencyKey: string | undefined;
  /** The id the fake handed back (SendGrid X-Message-Id, Resend id), when it accepted the mail. */
  providerId?: string;
  receivedAt: number;
}

/** What the fake answers to the next send: success, or an error status the real API documents. */
export type ApiReply = { kind: 'accept' } | { kind: 'error'; status: 400 | 401 | 403 | 404 | 422 | 429 | 500 | 503; retryAfter?: string };

export interface FakeMailApi {
  baseUrl: string;
  /** Every send request that matched the documented shape, whatever was answered; verification mails aside. */
  received: ApiMail[];
  /** Verification mails (a /verify-email link): always accepted, `reply` is not asked, kept apart like the SMTP server does. */
  verifications: ApiMail[];
  /** Sends the fake accepted. */
  accepted: ApiMail[];
  /** Requests that broke the documented contract (wrong method, path, auth header or body); a passing test has none. */
  violations: string[];
  /** Requests to the read endpoint /health uses (SendGrid GET /v3/scopes, Resend GET /domains). */
  probes: number;
  /** Decides the answer to each send; default accept. */
  reply: (mail: ApiMail) => ApiReply;
  close(): Promise<void>;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * SendGrid v3 Mail Send (docs: POST /v3/mail/send, Bearer key, JSON with personalizations[].to,
 * from, subject, content[] of text/plain then text/html; 202 with X-Message-Id; errors as
 * {errors:[{message, field, help}]}).
 */
function parseSendGrid(body: any): ApiMail | string {
  const to = body?.personalizations?.[0]?.to?.[0]?.email;
  const content: Array<{ type: string; value: string }> = body?.content ?? [];
  const text = content.find((c) => c.type === 'text/plain')?.value;
  const html = content.find((c) => c.type === 'text/html')?.value;
  if (!isString(to) || !isString(body?.from?.email) || !isString(body?.subject) || !isString(text) || !isString(html)) {
    return `sendgrid body lacks personalizations[0].to[0].email, from.email, subject or a text/plain and text/html content: ${JSON.stringify(body)}`;
  }
  if (content[0]?.type !== 'text/plain') return 'sendgrid requires text/plain to be the first content';
  return { to, from: body.from.email, subject: body.subject, text, html, messageIdHeader: body.headers?.['Message-ID'], idempotencyKey: undefined, receivedAt: Date.now() };
}

/** Resend (docs: POST /emails, Bearer key, JSON {from, to, subject, html, text, headers}; 200 {id}; errors {statusCode, name, message}). */
function parseResend(body: any, idempotencyKey: string | undefined): ApiMail | string {
  const to = Array.isArray(body?.to) ? body.to[0] : body?.to;
  if (!isString(to) || !isString(body?.from) || !isString(body?.subject) || !isString(body?.text) || !isString(body?.html)) {
    return `resend body lacks from, to, subject, text or html: ${JSON.stringify(body)}`;
  }
  return { to, from: body.from, subject: body.subject, text: body.text, html: body.html, messageIdHeader: body.headers?.['Message-ID'], idempotencyKey, receivedAt: Date.now() };
}

const RESEND_ERROR_NAMES: Record<number, string> = {
  400: 'validation_error',
  401: 'missing_api_key',
  403: 'invalid_api_key',
  404: 'not_found',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
  503: 'internal_server_error',
};

/** A provider's HTTPS email API faked over the wire on loopback; the real SDK reaches it through *_API_URL. */
export async function startFakeMailApi(provider: MailProvider, apiKey: string, port = 0): Promise<FakeMailApi> {
  const state: FakeMailApi = {
    baseUrl: '',
    received: [],
    verifications: [],
    accepted: [],
    violations: [],
    probes: 0,
    reply: () => ({ kind: 'accept' }),
    close: async () => undefined,
  };
  const sendPath = provider === 'sendgrid' ? '/v3/mail/send' : '/emails';
  const probePath = provider === 'sendgrid' ? '/v3/scopes' : '/domains';
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
    };
    const refuse = (status: number, message: string) =>
      provider === 'sendgrid' ? json(status, { errors: [{ message, field: null, help: null }] }) : json(status, { statusCode: status, name: RESEND_ERROR_NAMES[status], message });
    const isAuthorized = req.headers.authorization === `Bearer ${apiKey}`;
    if (req.method === 'GET' && req.url?.split('?')[0] === probePath) {
      state.probes++;
      if (!isAuthorized) return refuse(provider === 'resend' ? 403 : 401, 'The provided authorization grant is invalid, expired, or revoked');
      return provider === 'sendgrid' ? json(200, { scopes: ['mail.send'] }) : json(401, { statusCode: 401, name: 'restricted_api_key', message: 'This API key is restricted to only send emails' });
    }
    if (req.method !== 'POST' || req.url !== sendPath) {
      state.violations.push(`${req.method} ${req.url}`);
      return refuse(404, 'not found');
    }
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) state.violations.push(`content-type ${req.headers['content-type']}`);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      state.violations.push('body is not JSON');
      return refuse(400, 'body is not JSON');
    }
    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const mail = provider === 'sendgrid' ? parseSendGrid(body) : parseResend(body, idempotencyKey);
    if (typeof mail === 'string') {
      state.violations.push(mail);
      return refuse(400, mail);
    }
    if (!isAuthorized) {
      state.received.push(mail);
      return refuse(provider === 'sendgrid' ? 401 : 403, 'The provided authorization grant is invalid, expired, or revoked');
    }
    const isVerification = /\/verify-email\?token=/.test(mail.text);
    if (isVerification) state.verifications.push(mail);
    else state.received.push(mail);
    const reply: ApiReply = isVerification ? { kind: 'accept' } : state.reply(mail);
    if (reply.kind === 'error') {
      if (reply.status === 429 || reply.status >= 500) {
        const headers: Record<string, string> = reply.retryAfter ? { 'retry-after': reply.retryAfter } : {};
        const body = provider === 'sendgrid' ? { errors: [{ message: 'too many requests', field: null, help: null }] } : { statusCode: reply.status, name: RESEND_ERROR_NAMES[reply.status], message: 'Too many requests' };
        return json(reply.status, body, headers);
      }
      return refuse(reply.status, reply.status === 400 ? 'The to address is not valid' : 'refused');
    }
    mail.providerId = provider === 'sendgrid' ? `sg-${randomUUID()}` : randomUUID();
    if (!isVerification) state.accepted.push(mail);
    if (provider === 'sendgrid') {
      res.writeHead(202, { 'x-message-id': mail.providerId }).end();
      return;
    }
    json(200, { id: mail.providerId });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
