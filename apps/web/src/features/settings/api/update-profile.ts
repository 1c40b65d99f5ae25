import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { updateSessionUser } from '../../../lib/session';

export interface UpdateProfileInput {
  name?: string;
  timeZone?: string;
}

/** Renames the user or moves them to another time zone; the session shows the change at once. */
export async function updateProfile({ name, timeZone }: UpdateProfileInput) {
  const { user } = await unwrap(api.PATCH('/api/auth/me', { body: { name, time_zone: timeZone } }));
  updateSessionUser(user);
  return user;
}

export function useUpdateProfile() {
  return useMutation({ mutationFn: updateProfile });
}
