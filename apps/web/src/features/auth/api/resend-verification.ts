import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

/** Mails the signed-in user a new verification link; the answer says what happened. */
export async function resendVerification(): Promise<string> {
  const { detail } = await unwrap(api.POST('/api/auth/resend-verification'));
  return detail;
}

export function useResendVerification() {
  return useMutation({ mutationFn: resendVerification });
}
