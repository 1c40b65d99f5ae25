import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { endSession } from '../../../lib/session';
import { logout } from './logout';

/** Ends every session of the account (every device, every access token issued so far). */
export async function logoutAll(): Promise<void> {
  await unwrap(api.POST('/api/auth/logout-all'));
  // The cookie's refresh token is already revoked; this clears the cookie itself.
  await logout().catch(() => endSession());
}

export function useLogoutAll() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: logoutAll, onSuccess: () => queryClient.clear() });
}
