import { createHmac, randomBytes } from 'node:crypto';
import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { armVerificationToken, markVerificationSent, startVerificationSendAttempt } from './email-verification.repository.js';
import type { Mailer } from './mailer.js';
import type { SendOutcome } from './send-password-reset-email.js';
import { renderEmailVerificationMail } from './templates/email-verification.template.js';

/** Like the reset token (HMAC of the row id and its salt), under its own label so one can never pass for the other. */
export function deriveEmailVerificationToken(secret: string, verificationId: string, salt: Buffer): string {
  return createHmac('sha256', `email-verification:${secret}`).update(verificationId).update(salt).digest('base64url');
}

/** The web app's page that posts the token to /api/auth/verify-email. */
export function emailVerificationLink(config: Config, token: string): string {
  return `${config.frontendUrls[0]}/verify-email?token=${token}`;
}

export interface SendEmailVerificationDeps {
  db: Queryable;
  config: Config;
  mailer: Mailer;
  logger: Logger;
}

/** Sends one verification mail, once; nothing for a row already sent, spent, or a user already verified. */
export async function sendEmailVerification(deps: SendEmailVerificationDeps, verificationId: string): Promise<SendOutcome> {
  const { db, config, mailer, logger } = deps;
  const request = await startVerificationSendAttempt(db, verificationId, randomBytes(32));
  if (!request) return 'not-found';
  if (request.status === 'sent' || request.isEmailVerified) return 'already-sent';
  const token = deriveEmailVerificationToken(config.jwt.secret, request.id, request.tokenSalt);
  const mail = renderEmailVerificationMail({ name: request.name, link: emailVerificationLink(config, token), ttlHours: config.emailVerificationTtlHours });
  const domain = config.mailFrom.split('@')[1] ?? 'localhost';
  await armVerificationToken(db, request.id, hashOpaqueToken(token), config.emailVerificationTtlHours);
  const { destination, providerMessageId } = await mailer.send({ to: request.email, ...mail, messageId: `<email-verification.${request.id}@${domain}>` });
  await markVerificationSent(db, request.id, providerMessageId);
  logger.info({ verificationId, attempt: request.attempts, destination }, 'verification email sent');
  return 'sent';
}
