import { withTransaction, type Pool } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import { AppError } from '../platform/errors.js';
import type { ChangePasswordInput } from './account.schemas.js';
import { checkCurrentPassword } from './check-current-password.js';
import { hashPassword } from './password.js';
import { replacePassword } from './replace-password.js';
import { startSession, type Session } from './session.js';

/**
 * Sets a new password for a signed-in user who knows the current one, and starts a fresh session.
 * Every other session ends: refresh tokens and personal API tokens are revoked, the token version
 * moves on (so every earlier access token is refused), and open reset links stop working.
 */
export async function changePassword(deps: { db: Pool; config: Config }, userId: string, input: ChangePasswordInput): Promise<Session> {
  const user = await checkCurrentPassword(deps.db, userId, input.current_password, 'current_password');
  const passwordHash = await hashPassword(input.new_password);
  return withTransaction(deps.db, async (tx) => {
    // A concurrent change may have landed while the hashes were computed: the password just
    // checked must still be the current one, else this request proved nothing.
    const { rows } = await tx.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1 FOR UPDATE', [userId]);
    if (rows[0]?.password_hash !== user.passwordHash) {
      throw new AppError('validation_failed', 'The password is not correct.', { errors: [{ path: 'current_password', message: 'is not correct' }] });
    }
    const tokenVersion = await replacePassword(tx, userId, passwordHash);
    return startSession({ db: tx, config: deps.config }, { ...user, tokenVersion });
  });
}
