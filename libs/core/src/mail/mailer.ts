import { resolve } from 'node:path';
import type { Config, MailTransportName } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import type { MailHealth } from './mail-health.js';
import { createOutboxTransport } from './transports/outbox.transport.js';
import { createResendTransport } from './transports/resend.transport.js';
import { createSendGridTransport } from './transports/sendgrid.transport.js';
import { createSmtpTransport } from './transports/smtp.transport.js';

/** One composed mail: every transport sends exactly these parts, from the configured sender. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per logical email, so a resend after a crash is recognisably the same message. */
  messageId: string;
}

export interface SentMail {
  /** Where it went, for the log line (no address). */
  destination: string;
  /** The provider's id for the accepted message (SendGrid X-Message-Id, Resend id, SMTP queue reply). */
  providerMessageId?: string;
}

export type MailerState = Pick<MailHealth, 'state' | 'reason'>;

export interface Mailer {
  readonly kind: MailTransportName;
  /** Sends one mail; failures are thrown as an already classified `MailDeliveryError`. */
  send(message: MailMessage): Promise<SentMail>;
  /**
   * Probes the transport for /health without sending: SMTP connects, says EHLO, upgrades with
   * STARTTLS and authenticates; the HTTPS providers make one authenticated read.
   */
  check(): Promise<MailerState>;
  close(): void;
}

/** The transport MAIL_TRANSPORT names (config already checked that its settings are present). */
export function createMailer(config: Config, logger: Logger): Mailer {
  const from = config.mailFrom;
  switch (config.mail.transport) {
    case 'smtp':
      return createSmtpTransport(config.smtp!, from);
    case 'sendgrid':
      return createSendGridTransport(config.mail.sendgrid!, from);
    case 'resend':
      return createResendTransport(config.mail.resend!, from);
    case 'outbox':
      return createOutboxTransport(resolve(config.outboxDir), from, logger);
  }
}
