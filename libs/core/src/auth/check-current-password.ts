import type { Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { findUserById, type UserCredentials } from '../users/index.js';
import { verifyPassword } from './password.js';

/**
 * The signed-in user, after proving they still know the password: sensitive changes (a new
 * password, deleting the account) need more than a token someone may have copied. A wrong
 * password is a 400 on the field, not a 401, so clients do not take it for an expired session.
 */
export async function checkCurrentPassword(db: Queryable, userId: string, password: string, field: string): Promise<UserCredentials> {
  const user = await findUserById(db, userId);
  if (!user) throw new AppError('unauthorized', 'Access token has been revoked.');
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new AppError('validation_failed', 'The password is not correct.', { errors: [{ path: field, message: 'is not correct' }] });
  }
  return user;
}
