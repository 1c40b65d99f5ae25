import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { REFRESH_COOKIE_HEADER, startSession } from '../../../lib/session';

export interface RegisterInput {
  name: string;
  email: string;
  password: string;
}

/** Creates the account and signs in. */
export async function register(body: RegisterInput) {
  const session = await unwrap(api.POST('/api/auth/register', { body, headers: REFRESH_COOKIE_HEADER }));
  return startSession(session);
}

export function useRegister() {
  return useMutation({ mutationFn: register });
}
