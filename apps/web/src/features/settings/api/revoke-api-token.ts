import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { apiTokensKey } from './get-api-tokens';

/** Revokes a token at once: MCP clients using it are refused from the next request. */
export async function revokeApiToken(userId: string, tokenId: string): Promise<void> {
  await unwrap(api.DELETE('/api/{user_id}/api-tokens/{token_id}', { params: { path: { user_id: userId, token_id: tokenId } } }));
}

export function useRevokeApiToken(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => revokeApiToken(userId, tokenId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokensKey(userId) }),
  });
}
