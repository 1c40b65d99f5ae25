import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

export const conversationKey = (userId: string, conversationId: string) => ['conversation', userId, conversationId] as const;

/** One conversation with its stored messages (user, assistant and tool messages, in order). */
export function getConversation(userId: string, conversationId: string) {
  return unwrap(
    api.GET('/api/{user_id}/conversations/{conversation_id}', { params: { path: { user_id: userId, conversation_id: conversationId } } }),
  );
}

export function conversationQueryOptions(userId: string, conversationId: string) {
  return queryOptions({ queryKey: conversationKey(userId, conversationId), queryFn: () => getConversation(userId, conversationId) });
}

export function useConversation(userId: string, conversationId: string | null) {
  return useQuery({ ...conversationQueryOptions(userId, conversationId ?? ''), enabled: conversationId !== null });
}
