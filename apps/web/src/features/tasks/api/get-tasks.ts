import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import type { TaskPriority } from '../../../lib/api-types';
import { useUser } from '../../../lib/session';
import { addDays, todayIso } from '../utils/dates';

export type TaskStatusFilter = 'all' | 'pending' | 'completed';
export type TaskDueFilter = 'any' | 'overdue' | 'today' | 'week';
export type TaskSort = 'id' | '-id' | '-created_at' | 'due_date' | '-priority' | '-updated_at' | 'title';

export interface TaskFilters {
  status: TaskStatusFilter;
  priority: TaskPriority | 'any';
  due: TaskDueFilter;
  q: string;
  sort: TaskSort;
}

export const DEFAULT_TASK_FILTERS: TaskFilters = { status: 'all', priority: 'any', due: 'any', q: '', sort: '-id' };
export const TASK_PAGE_SIZE = 20;

/** Every cached task list starts with this key; mutations and the change feed refresh them all. */
export const tasksKey = ['tasks'] as const;

/** The API's query for a set of filters; due ranges are strict bounds around `today`, the account's date. */
export function taskQuery(filters: TaskFilters, today: string) {
  const due = {
    any: {},
    overdue: { due_before: today },
    today: { due_after: addDays(today, -1), due_before: addDays(today, 1) },
    week: { due_after: addDays(today, -1), due_before: addDays(today, 7) },
  }[filters.due];
  return {
    status: filters.status,
    sort: filters.sort,
    limit: String(TASK_PAGE_SIZE),
    ...(filters.priority === 'any' ? {} : { priority: filters.priority }),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
    ...due,
  };
}

export async function getTasks(userId: string, filters: TaskFilters, today: string, cursor: string | undefined) {
  return unwrap(
    api.GET('/api/{user_id}/tasks', {
      params: { path: { user_id: userId }, query: { ...taskQuery(filters, today), ...(cursor ? { cursor } : {}) } },
    }),
  );
}

/** `today` is in the key: the lists of a new day are fetched anew. */
export function tasksQueryOptions(userId: string, filters: TaskFilters, today: string) {
  return infiniteQueryOptions({
    queryKey: [...tasksKey, userId, filters, today],
    queryFn: ({ pageParam }) => getTasks(userId, filters, today, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** The task list for these filters, a page at a time ("load more" fetches the next cursor). */
export function useTasks(userId: string, filters: TaskFilters) {
  const today = todayIso(useUser().time_zone);
  return useInfiniteQuery({ ...tasksQueryOptions(userId, filters, today), placeholderData: (previous) => previous });
}
