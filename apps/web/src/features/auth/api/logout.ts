import { useMutation, useQueryClient } from '@tanstack/react-query';
import { API_BASE_URL } from '../../../lib/config';
import { endSession, REFRESH_COOKIE_HEADER } from '../../../lib/session';

/**
 * Ends this sign-in: the API revokes the refresh token in the cookie and clears the cookie.
 * Sent with plain fetch because the body is empty (the cookie says which sign-in).
 * Signs out locally even when the server cannot be reached.
 */
export async function logout(): Promise<void> {
  try {
    await fetch(`${API_BASE_URL}/api/auth/logout`, { method: 'POST', credentials: 'include', headers: REFRESH_COOKIE_HEADER });
  } finally {
    endSession();
  }
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: logout, onSettled: () => queryClient.clear() });
}
