import { createHmac, randomBytes } from 'node:crypto';
import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { Mailer } from './mailer.js';
import {
  armMailToken,
  markMailTokenSent,
  startMailTokenSendAttempt,
  type MailTokenKind,
  type MailTokenRequestForSending,
} from './mail-token.repository.js';
import { renderEmailVerificationMail } from './templates/email-verification.template.js';
import { renderPasswordResetMail, type RenderedMail } from './templates/password-reset.template.js';

export type SendOutcome = 'sent' | 'already-sent' | 'not-found';

export interface SendMailTokenDeps {
  db: Queryable;
  config: Config;
  mailer: Mailer;
  logger: Logger;
}

/** What differs between the kinds of mailed link: the web app's page, the lifetime, the mail. */
interface MailTokenMail {
  /** The web app's page that posts the token back to the API. */
  page: string;
  ttlSeconds(config: Config): number;
  render(config: Config, input: { name: string; link: string }): RenderedMail;
  /** Nothing to send any more: already sent, or (verification) the address is proven already. */
  isSettled(request: MailTokenRequestForSending): boolean;
  sentLog: string;
}

const MAILS: Record<MailTokenKind, MailTokenMail> = {
  'password-reset': {
    page: '/reset-password',
    ttlSeconds: (config) => config.resetTokenTtlMinutes * 60,
    render: (config, input) => renderPasswordResetMail({ ...input, ttlMinutes: config.resetTokenTtlMinutes }),
    isSettled: (request) => request.status === 'sent',
    sentLog: 'password reset email sent',
  },
  'email-verification': {
    page: '/verify-email',
    ttlSeconds: (config) => config.emailVerificationTtlHours * 3600,
    render: (config, input) => renderEmailVerificationMail({ ...input, ttlHours: config.emailVerificationTtlHours }),
    isSettled: (request) => request.status === 'sent' || request.isEmailVerified,
    sentLog: 'verification email sent',
  },
};

/**
 * The token is HMAC(secret, request id + salt), under a label per kind so one kind's token can
 * never pass for the other's: 256 bits that only a holder of the server secret and the row's salt
 * can produce. Deriving it (instead of storing it) lets a retried send repeat the same link while
 * the database keeps only the salt and the token's hash.
 */
function deriveMailToken(kind: MailTokenKind, secret: string, requestId: string, salt: Buffer): string {
  return createHmac('sha256', `${kind}:${secret}`).update(requestId).update(salt).digest('base64url');
}

/** The link in the mail: the web app's page for the kind, with the token in the query string. */
function mailTokenLink(kind: MailTokenKind, config: Config, token: string): string {
  return `${config.frontendUrls[0]}${MAILS[kind].page}?token=${token}`;
}

/**
 * Sends the mail of one request, once: 'already-sent' for a request marked sent (or, for a
 * verification, a user already verified), 'not-found' for an unknown or spent request. The token
 * is armed before the mail leaves, and the row marked sent after the transport accepted it; a
 * transport error is thrown as it came (the email job classifies it).
 */
export async function sendMailTokenMail(deps: SendMailTokenDeps, kind: MailTokenKind, requestId: string): Promise<SendOutcome> {
  const { db, config, mailer, logger } = deps;
  const mail = MAILS[kind];
  const request = await startMailTokenSendAttempt(db, kind, requestId, randomBytes(32));
  if (!request) return 'not-found';
  if (mail.isSettled(request)) return 'already-sent';
  const token = deriveMailToken(kind, config.jwt.secret, request.id, request.tokenSalt);
  const rendered = mail.render(config, { name: request.name, link: mailTokenLink(kind, config, token) });
  const domain = config.mailFrom.split('@')[1] ?? 'localhost';
  await armMailToken(db, kind, request.id, hashOpaqueToken(token), mail.ttlSeconds(config));
  const { destination, providerMessageId } = await mailer.send({ to: request.email, ...rendered, messageId: `<${kind}.${request.id}@${domain}>` });
  await markMailTokenSent(db, kind, request.id, providerMessageId);
  logger.info({ kind, requestId, attempt: request.attempts, destination }, mail.sentLog);
  return 'sent';
}
