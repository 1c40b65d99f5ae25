import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Task, TaskPage } from '../../../lib/api-types';
import { tasksKey } from './get-tasks';

/**
 * Puts a changed task into every cached list at once (so the screen answers immediately), then
 * refetches the lists, since a change can move a task in or out of a filter or its sort place.
 */
export function applyTaskChange(queryClient: QueryClient, change: { task: Task; isDeleted?: boolean }): Promise<void> {
  queryClient.setQueriesData<InfiniteData<TaskPage>>({ queryKey: tasksKey }, (data) => {
    if (!data) return data;
    return {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        tasks: change.isDeleted
          ? page.tasks.filter((t) => t.id !== change.task.id)
          : page.tasks.map((t) => (t.id === change.task.id ? change.task : t)),
      })),
    };
  });
  return queryClient.invalidateQueries({ queryKey: tasksKey });
}
