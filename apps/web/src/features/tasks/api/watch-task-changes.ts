import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Task } from '../../../lib/api-types';
import { eventData, StreamRefusedError, streamEvents } from '../../../lib/sse';
import { tasksKey } from './get-tasks';
import { applyTaskChange } from './task-cache';

const TASK_EVENTS = new Set(['task.created', 'task.updated', 'task.deleted']);
const MAX_RETRY_MS = 15_000;

/**
 * Follows the user's change feed (GET /api/{user_id}/events) while mounted and puts each change
 * into the task lists, whoever made it: this tab, another tab, the chat agent, a REST or MCP client.
 * Reconnects with Last-Event-ID after a drop; after a refused stream (signed out) it stops.
 */
export function useTaskChangeFeed(userId: string): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    void (async () => {
      let lastEventId: string | undefined;
      let retryMs = 1_000;
      while (!signal.aborted) {
        try {
          lastEventId = await streamEvents(`/api/${encodeURIComponent(userId)}/events`, {
            lastEventId,
            signal,
            onEvent(event) {
              retryMs = 1_000;
              if (!TASK_EVENTS.has(event.event ?? '')) return;
              const data = eventData<{ task?: Task }>(event);
              if (data?.task) void applyTaskChange(queryClient, { task: data.task, isDeleted: event.event === 'task.deleted' });
              else void queryClient.invalidateQueries({ queryKey: tasksKey });
            },
          });
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof StreamRefusedError && error.response.status < 500 && error.response.status !== 429) return;
        }
        // Whatever happened while disconnected, the lists are refetched once the feed is back.
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        void queryClient.invalidateQueries({ queryKey: tasksKey });
      }
    })();
    return () => controller.abort();
  }, [queryClient, userId]);
}
