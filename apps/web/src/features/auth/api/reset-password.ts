import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

export interface ResetPasswordInput {
  token: string;
  newPassword: string;
}

/** Sets a new password with the token from the mail; every earlier session ends. */
export async function resetPassword({ token, newPassword }: ResetPasswordInput): Promise<void> {
  await unwrap(api.POST('/api/auth/reset-password', { body: { token, new_password: newPassword } }));
}

export function useResetPassword() {
  return useMutation({ mutationFn: resetPassword });
}
