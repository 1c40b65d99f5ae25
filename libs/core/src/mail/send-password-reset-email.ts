import { createHmac, randomBytes } from 'node:crypto';
import { hashOpaqueToken } from '../auth/refresh-token.repository.js';
import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { Mailer } from './mailer.js';
import { armResetToken, markResetSent, startResetSendAttempt } from './password-reset.repository.js';
import { renderPasswordResetMail } from './templates/password-reset.template.js';

/**
 * The token is HMAC(secret, request id + salt): 256 bits that only a holder of the server secret
 * and the row's salt can produce. Deriving it (instead of storing it) lets a retried send repeat
 * the same link while the database keeps only the salt and the token's hash.
 */
export function derivePasswordResetToken(secret: string, requestId: string, salt: Buffer): string {
  return createHmac('sha256', `password-reset:${secret}`).update(requestId).update(salt).digest('base64url');
}

export function passwordResetLink(config: Config, token: string): string {
  return `${config.frontendUrls[0]}/reset-password?token=${token}`;
}

export type SendOutcome = 'sent' | 'already-sent' | 'not-found';

export interface SendPasswordResetEmailDeps {
  db: Queryable;
  config: Config;
  mailer: Mailer;
  logger: Logger;
}

/** Sends the reset mail of one request, once: a request already marked sent is skipped. */
export async function sendPasswordResetEmail(deps: SendPasswordResetEmailDeps, requestId: string): Promise<SendOutcome> {
  const { db, config, mailer, logger } = deps;
  const request = await startResetSendAttempt(db, requestId, randomBytes(32));
  if (!request) return 'not-found';
  if (request.status === 'sent') return 'already-sent';
  const token = derivePasswordResetToken(config.jwt.secret, request.id, request.tokenSalt);
  const mail = renderPasswordResetMail({
    name: request.name,
    link: passwordResetLink(config, token),
    ttlMinutes: config.resetTokenTtlMinutes,
  });
  const domain = config.mailFrom.split('@')[1] ?? 'localhost';
  await armResetToken(db, request.id, hashOpaqueToken(token), config.resetTokenTtlMinutes);
  const { destination, providerMessageId } = await mailer.send({ to: request.email, ...mail, messageId: `<password-reset.${request.id}@${domain}>` });
  await markResetSent(db, request.id, providerMessageId);
  logger.info({ requestId, attempt: request.attempts, destination }, 'password reset email sent');
  return 'sent';
}
