import createClient from 'openapi-fetch';
import type { paths } from '../types/api.generated';
import { API_BASE_URL } from './config';
import { getSession, refreshSession } from './session';

/**
 * fetch with the session's access token; on a 401 it refreshes the session once and resends.
 * Auth routes themselves are sent as they are.
 */
export async function authorizedFetch(input: Request): Promise<Response> {
  const isAuthRoute = new URL(input.url).pathname.includes('/api/auth/');
  const retry = isAuthRoute ? undefined : input.clone();
  const response = await fetch(withToken(input));
  if (response.status !== 401 || !retry || !getSession()) return response;
  const renewed = await refreshSession();
  return renewed ? fetch(withToken(retry)) : response;
}

function withToken(request: Request): Request {
  const session = getSession();
  if (session && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${session.accessToken}`);
  return request;
}

/** The typed API client: paths, parameters and bodies come from the generated OpenAPI types. */
export const api = createClient<paths>({
  baseUrl: API_BASE_URL || window.location.origin,
  credentials: 'include',
  fetch: authorizedFetch,
});
