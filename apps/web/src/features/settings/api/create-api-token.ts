import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { apiTokensKey } from './get-api-tokens';

export interface CreateApiTokenInput {
  name: string;
  /** Omitted: the token does not expire. */
  expiresInDays?: number;
}

/** Creates a token; the answer is the only time its raw value is shown. */
export function createApiToken(userId: string, { name, expiresInDays }: CreateApiTokenInput) {
  return unwrap(
    api.POST('/api/{user_id}/api-tokens', {
      params: { path: { user_id: userId } },
      body: { name, ...(expiresInDays ? { expires_in_days: expiresInDays } : {}) },
    }),
  );
}

export function useCreateApiToken(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateApiTokenInput) => createApiToken(userId, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokensKey(userId) }),
  });
}
