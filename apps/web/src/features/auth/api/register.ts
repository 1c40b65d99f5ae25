import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { REFRESH_COOKIE_HEADER, startSession } from '../../../lib/session';
import { browserTimeZone } from '../../../lib/time-zone';

export interface RegisterInput {
  name: string;
  email: string;
  password: string;
}

/** Creates the account in the browser's time zone, and signs in. */
export async function register(input: RegisterInput) {
  const body = { ...input, time_zone: browserTimeZone() };
  const session = await unwrap(api.POST('/api/auth/register', { body, headers: REFRESH_COOKIE_HEADER }));
  return startSession(session);
}

export function useRegister() {
  return useMutation({ mutationFn: register });
}
