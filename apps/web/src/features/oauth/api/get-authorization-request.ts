import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

export const authorizationRequestKey = (requestId: string) => ['oauth-request', requestId] as const;

/** What the application asks for: its self-declared name, where it returns to, the scopes. */
export async function getAuthorizationRequest(requestId: string) {
  return unwrap(api.GET('/api/oauth/requests/{request_id}', { params: { path: { request_id: requestId } } }));
}

export function authorizationRequestQueryOptions(requestId: string) {
  // A request is answered once; refetching after a decision would only say it is gone.
  return queryOptions({ queryKey: authorizationRequestKey(requestId), queryFn: () => getAuthorizationRequest(requestId), retry: false, staleTime: Infinity });
}

export function useAuthorizationRequest(requestId: string) {
  return useQuery(authorizationRequestQueryOptions(requestId));
}
