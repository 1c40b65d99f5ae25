import nodemailer from 'nodemailer';
import type { Config } from '../../platform/config.js';
import { MailDeliveryError, withoutAddresses, type MailFailureReason } from '../mail-error.js';
import type { Mailer, MailerState } from '../mailer.js';

type SmtpConfig = NonNullable<Config['smtp']>;

interface NodemailerError {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** What a nodemailer failure means for /health: a reply the configuration cannot get past, or no server at all. */
function failureReason(e: NodemailerError): MailFailureReason | undefined {
  if (e.code === 'EAUTH') return 'auth_failed';
  if (e.code === 'ETLS') return e.command === 'STARTTLS' ? 'starttls_unavailable' : 'tls_failed';
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) return 'rejected';
  return undefined;
}

/**
 * 5xx replies are permanent (retrying will not help); connection problems and 4xx are transient.
 * A server that answers, but that this configuration cannot use (no STARTTLS, refused login),
 * is `failing` for /health rather than unreachable.
 */
export function classifySmtpError(error: unknown): MailDeliveryError {
  const e = (error ?? {}) as NodemailerError;
  const reason = failureReason(e);
  const code = [e.code, e.responseCode].filter((part) => part !== undefined).join(' ') || 'ESMTP';
  const text = [e.code, e.responseCode, e.response ?? e.message].filter((part) => part !== undefined).join(' ');
  return new MailDeliveryError(withoutAddresses(text).slice(0, 300), {
    transport: 'smtp',
    isPermanent: typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600,
    code,
    reason,
    isUnreachable: reason === undefined && e.responseCode === undefined,
  });
}

function stateOf(error: MailDeliveryError): MailerState {
  if (error.reason) return { state: 'failing', reason: error.reason };
  return error.isUnreachable ? { state: 'unreachable' } : { state: 'configured' };
}

/**
 * SMTP through a pooled nodemailer transport: STARTTLS required on 587 (and any port but 465)
 * when SMTP_USE_TLS, implicit TLS on 465.
 */
export function createSmtpTransport(smtp: SmtpConfig, from: string): Mailer {
  const { host, port, username, password, useTls } = smtp;
  const isImplicitTls = useTls && port === 465;
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 3,
    host,
    port,
    secure: isImplicitTls,
    requireTLS: useTls && !isImplicitTls,
    ignoreTLS: !useTls,
    auth: username ? { user: username, pass: password } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    async send(message) {
      try {
        const info = await transport.sendMail({ from, ...message });
        const response = String(info.response).slice(0, 80);
        return { destination: `smtp ${host}:${port} (${response})`, providerMessageId: response };
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    async check() {
      try {
        await transport.verify();
        return { state: 'configured' };
      } catch (error) {
        return stateOf(classifySmtpError(error));
      }
    },
    close: () => transport.close(),
  };
}
