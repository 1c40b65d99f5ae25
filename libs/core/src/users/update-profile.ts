import type { Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { updateUserProfile, type User } from './user.repository.js';
import type { UpdateProfileInput } from './user.schemas.js';

/** Changes the signed-in user's name and/or time zone; the answer is the whole user. */
export async function updateProfile(db: Queryable, userId: string, input: UpdateProfileInput): Promise<User> {
  const user = await updateUserProfile(db, userId, { name: input.name, timeZone: input.time_zone });
  // The token outlived its user (deleted account): the same answer as any revoked token.
  if (!user) throw new AppError('unauthorized', 'Access token has been revoked.');
  return user;
}
