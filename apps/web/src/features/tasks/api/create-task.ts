import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import type { TaskPriority } from '../../../lib/api-types';
import { tasksKey } from './get-tasks';

export interface CreateTaskInput {
  title: string;
  description?: string;
  priority?: TaskPriority;
  due_date?: string;
}

export function createTask(userId: string, body: CreateTaskInput) {
  return unwrap(api.POST('/api/{user_id}/tasks', { params: { path: { user_id: userId } }, body }));
}

export function useCreateTask(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTaskInput) => createTask(userId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tasksKey }),
  });
}
