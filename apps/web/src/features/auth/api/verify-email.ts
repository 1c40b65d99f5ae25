import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { getSession, updateSessionUser } from '../../../lib/session';

/**
 * Confirms the address with the token of the verification mail. When the same user is signed
 * in here, their session learns it at once (the banner goes away).
 */
export async function verifyEmail(token: string) {
  const { user } = await unwrap(api.POST('/api/auth/verify-email', { body: { token } }));
  if (getSession()?.user.id === user.id) updateSessionUser(user);
  return user;
}

export function useVerifyEmail() {
  return useMutation({ mutationFn: verifyEmail });
}
