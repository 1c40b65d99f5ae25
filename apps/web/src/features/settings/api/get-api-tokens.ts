import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

export const apiTokensKey = (userId: string) => ['api-tokens', userId] as const;

/** The user's personal API tokens (never their values), oldest first. */
export async function getApiTokens(userId: string) {
  const { api_tokens } = await unwrap(api.GET('/api/{user_id}/api-tokens', { params: { path: { user_id: userId } } }));
  return api_tokens;
}

export function apiTokensQueryOptions(userId: string) {
  return queryOptions({ queryKey: apiTokensKey(userId), queryFn: () => getApiTokens(userId) });
}

export function useApiTokens(userId: string) {
  return useQuery(apiTokensQueryOptions(userId));
}
