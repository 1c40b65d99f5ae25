import { insertEmailVerification } from '../mail/email-verification.repository.js';
import { withTransaction, type Pool } from '../platform/db/index.js';
import { insertUser } from '../users/index.js';
import type { RegisterInput } from './auth.schemas.js';
import { hashPassword } from './password.js';
import { enqueueEmailVerification, type RequestEmailVerificationDeps } from './request-email-verification.js';
import { startSession, type AuthDeps, type Session } from './session.js';

/**
 * Creates the account, its verification-mail row and a session in one transaction, then enqueues
 * the mail (the job carries the row id only).
 */
export async function registerUser(deps: AuthDeps & { db: Pool } & Omit<RequestEmailVerificationDeps, 'db'>, input: RegisterInput): Promise<Session> {
  const passwordHash = await hashPassword(input.password);
  const { session, verificationId } = await withTransaction(deps.db, async (tx) => {
    const user = await insertUser(tx, { email: input.email, name: input.name, passwordHash, timeZone: input.time_zone });
    const verificationId = await insertEmailVerification(tx, user.id);
    return { session: await startSession({ db: tx, config: deps.config }, user), verificationId };
  });
  await enqueueEmailVerification(deps, verificationId);
  return session;
}
