import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per logical email, so a resend after a crash is recognisably the same message. */
  messageId: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<{ destination: string }>;
  /**
   * Whether the SMTP server can be reached (connect, EHLO, STARTTLS, AUTH). A server that answers
   * with an error reply (a 535 for bad credentials) is reachable: its jobs fail visibly instead.
   */
  isReachable(): Promise<boolean>;
  close(): void;
}

/**
 * SMTP through a pooled nodemailer transport: STARTTLS required on 587 (and any port but 465)
 * when SMTP_USE_TLS, implicit TLS on 465. Without SMTP_HOST (development), .eml files in OUTBOX_DIR.
 */
export function createMailer(config: Config, logger: Logger): Mailer {
  if (!config.smtp) return createOutboxMailer(resolve(config.outboxDir), config.mailFrom, logger);
  const { host, port, username, password, fromEmail, useTls } = config.smtp;
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
      const info = await transport.sendMail({ from: fromEmail, ...message });
      return { destination: `smtp ${host}:${port} (${String(info.response).slice(0, 80)})` };
    },
    async isReachable() {
      try {
        await transport.verify();
        return true;
      } catch (error) {
        return typeof (error as { responseCode?: unknown }).responseCode === 'number';
      }
    },
    close: () => transport.close(),
  };
}

function createOutboxMailer(dir: string, from: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let isAnnounced = false;
  return {
    kind: 'outbox',
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      await mkdir(dir, { recursive: true });
      const safeId = message.messageId.replace(/[^A-Za-z0-9.-]/g, '_');
      const path = `${dir}/${new Date().toISOString().replace(/[:.]/g, '-')}_${safeId}.eml`;
      await writeFile(path, info.message as Buffer);
      if (!isAnnounced) {
        logger.info({ outbox: dir }, 'SMTP_HOST is not set: mail goes to the local outbox folder');
        isAnnounced = true;
      }
      return { destination: path };
    },
    isReachable: async () => true,
    close: () => undefined,
  };
}

/** SMTP replies in the 5xx range are permanent (retrying will not help); connection problems and 4xx are transient. */
export function isPermanentMailError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
