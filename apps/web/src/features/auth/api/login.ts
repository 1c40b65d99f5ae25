import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { REFRESH_COOKIE_HEADER, startSession } from '../../../lib/session';

export interface LoginInput {
  email: string;
  password: string;
}

/** Signs in; the refresh token goes to the HttpOnly cookie, the access token to memory. */
export async function login(body: LoginInput) {
  const session = await unwrap(api.POST('/api/auth/login', { body, headers: REFRESH_COOKIE_HEADER }));
  return startSession(session);
}

export function useLogin() {
  return useMutation({ mutationFn: login });
}
