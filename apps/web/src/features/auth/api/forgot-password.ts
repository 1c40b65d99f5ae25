import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

/** Asks for a reset link by mail; the API answers the same whether or not the account exists. */
export async function forgotPassword(email: string): Promise<void> {
  await unwrap(api.POST('/api/auth/forgot-password', { body: { email } }));
}

export function useForgotPassword() {
  return useMutation({ mutationFn: forgotPassword });
}
