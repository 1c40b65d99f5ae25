import { AppError } from '../platform/errors.js';
import { findUserByEmail } from '../users/index.js';
import type { LoginInput } from './auth.schemas.js';
import { burnPasswordCheck, verifyPassword } from './password.js';
import { startSession, type AuthDeps, type Session } from './session.js';

const INVALID_CREDENTIALS = 'Invalid email or password.';

/** One answer for an unknown email and a wrong password, in about the same time. */
export async function logIn(deps: AuthDeps, input: LoginInput): Promise<Session> {
  const user = await findUserByEmail(deps.db, input.email);
  if (!user) {
    await burnPasswordCheck(input.password);
    throw new AppError('unauthorized', INVALID_CREDENTIALS);
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    throw new AppError('unauthorized', INVALID_CREDENTIALS);
  }
  return startSession(deps, user);
}
