import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { conversationKey } from './get-conversation';
import { conversationsKey } from './get-conversations';

export async function deleteConversation(userId: string, conversationId: string): Promise<void> {
  await unwrap(
    api.DELETE('/api/{user_id}/conversations/{conversation_id}', { params: { path: { user_id: userId, conversation_id: conversationId } } }),
  );
}

export function useDeleteConversation(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (conversationId: string) => deleteConversation(userId, conversationId),
    onSuccess: (_nothing, conversationId) => {
      queryClient.removeQueries({ queryKey: conversationKey(userId, conversationId) });
      return queryClient.invalidateQueries({ queryKey: conversationsKey });
    },
  });
}
