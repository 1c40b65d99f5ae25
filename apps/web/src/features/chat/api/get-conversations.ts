import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

export const conversationsKey = ['conversations'] as const;
const CONVERSATION_LIST_LIMIT = 50;

/** The user's most recent conversations, newest first. */
export function getConversations(userId: string) {
  return unwrap(
    api.GET('/api/{user_id}/conversations', { params: { path: { user_id: userId }, query: { limit: String(CONVERSATION_LIST_LIMIT) } } }),
  );
}

export function conversationsQueryOptions(userId: string) {
  return queryOptions({ queryKey: [...conversationsKey, userId], queryFn: () => getConversations(userId) });
}

export function useConversations(userId: string) {
  return useQuery(conversationsQueryOptions(userId));
}
