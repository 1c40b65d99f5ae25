import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { REFRESH_COOKIE_HEADER, startSession } from '../../../lib/session';

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/**
 * Changes the password. The API ends every other session and API token, and answers with a
 * new session (its refresh token in the cookie), so this one goes on with the new tokens.
 */
export async function changePassword({ currentPassword, newPassword }: ChangePasswordInput) {
  const session = await unwrap(
    api.POST('/api/auth/change-password', {
      body: { current_password: currentPassword, new_password: newPassword },
      headers: REFRESH_COOKIE_HEADER,
    }),
  );
  return startSession(session);
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  // The change revoked every API token and cut off every connected app: show both lists as they are now.
  return useMutation({
    mutationFn: changePassword,
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['api-tokens'] }), queryClient.invalidateQueries({ queryKey: ['connected-apps'] })]),
  });
}
