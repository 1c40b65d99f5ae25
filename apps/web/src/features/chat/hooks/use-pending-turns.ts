import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/api-error';
import { conversationKey } from '../api/get-conversation';
import { conversationsKey } from '../api/get-conversations';
import { sendMessage, type TurnEvent } from '../api/send-message';
import { changesTasks, type ToolActivity } from '../utils/tool-summary';

/** A message sent from this tab whose turn is not yet in the stored history. */
export interface PendingTurn {
  key: string;
  message: string;
  conversationId: string | null;
  status: 'sending' | 'queued' | 'running' | 'completed' | 'failed';
  text: string;
  activities: ToolActivity[];
  error?: string;
}

/** Folds one turn event into the pending turn (a retried attempt starts its text over). */
export function applyTurnEvent(turn: PendingTurn, event: TurnEvent): PendingTurn {
  switch (event.type) {
    case 'status':
      return event.status === 'running' && event.attempt > 1
        ? { ...turn, status: 'running', text: '', activities: [] }
        : { ...turn, status: event.status };
    case 'tool_call':
      return { ...turn, status: 'running', activities: [...turn.activities, { tool: event.tool, input: event.input }] };
    case 'tool_result': {
      const index = turn.activities.findIndex((a) => a.tool === event.tool && !a.result);
      if (index === -1) return { ...turn, activities: [...turn.activities, { tool: event.tool, input: undefined, result: event.result }] };
      return { ...turn, activities: turn.activities.map((a, i) => (i === index ? { ...a, result: event.result } : a)) };
    }
    case 'delta':
      return { ...turn, status: 'running', text: turn.text + event.text };
    case 'completed':
      return {
        ...turn,
        status: 'completed',
        conversationId: event.result.conversation_id,
        text: event.result.message,
        activities: event.result.tool_calls.map((c) => ({ tool: c.tool, input: c.input, result: c.result })),
      };
    case 'failed':
      return { ...turn, status: 'failed', error: event.error.message };
  }
}

/**
 * Sends messages and streams their turns. A new conversation's id is learnt from the turn as
 * soon as it is accepted, so `onConversation` can select it; when a turn ends, the stored
 * history is refetched and the pending copy dropped.
 */
export function usePendingTurns({
  userId,
  onConversation,
  onTasksChanged,
}: {
  userId: string;
  onConversation: (conversationId: string) => void;
  onTasksChanged: () => void;
}) {
  const queryClient = useQueryClient();
  const [turns, setTurns] = useState<PendingTurn[]>([]);
  const controllers = useRef(new Set<AbortController>());
  const callbacks = useRef({ onConversation, onTasksChanged });
  callbacks.current = { onConversation, onTasksChanged };

  useEffect(() => {
    const open = controllers.current;
    return () => open.forEach((c) => c.abort());
  }, []);

  const update = useCallback((key: string, change: (turn: PendingTurn) => PendingTurn) => {
    setTurns((all) => all.map((t) => (t.key === key ? change(t) : t)));
  }, []);

  const send = useCallback(
    async (message: string, conversationId: string | null) => {
      const key = crypto.randomUUID();
      const controller = new AbortController();
      controllers.current.add(controller);
      setTurns((all) => [...all, { key, message, conversationId, status: 'sending', text: '', activities: [] }]);
      let finalConversationId = conversationId;
      let isCompleted = false;
      try {
        await sendMessage({
          userId,
          message,
          conversationId,
          idempotencyKey: key,
          signal: controller.signal,
          onTurnAccepted: async (turnId) => {
            if (conversationId) return;
            const { data } = await api.GET('/api/{user_id}/chat/turns/{turn_id}', { params: { path: { user_id: userId, turn_id: turnId } } });
            if (!data) return;
            finalConversationId = data.conversation_id;
            update(key, (t) => ({ ...t, conversationId: data.conversation_id }));
            callbacks.current.onConversation(data.conversation_id);
            void queryClient.invalidateQueries({ queryKey: conversationsKey });
          },
          onEvent: (event) => {
            if (event.type === 'tool_result' && changesTasks(event.tool)) callbacks.current.onTasksChanged();
            if (event.type === 'completed') {
              isCompleted = true;
              finalConversationId = event.result.conversation_id;
            }
            update(key, (t) => applyTurnEvent(t, event));
          },
        });
      } catch (error) {
        if (controller.signal.aborted) return;
        update(key, (t) => ({ ...t, status: 'failed', error: errorMessage(error) }));
      } finally {
        controllers.current.delete(controller);
      }
      if (!isCompleted || !finalConversationId) return;
      if (!conversationId) callbacks.current.onConversation(finalConversationId);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: conversationKey(userId, finalConversationId) }),
        queryClient.invalidateQueries({ queryKey: conversationsKey }),
      ]);
      setTurns((all) => all.filter((t) => t.key !== key));
    },
    [queryClient, update, userId],
  );

  const dismiss = useCallback((key: string) => setTurns((all) => all.filter((t) => t.key !== key)), []);

  return { turns, send, dismiss };
}
