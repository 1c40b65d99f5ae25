import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import type { TaskPriority } from '../../../lib/api-types';
import { applyTaskChange } from './task-cache';

export interface UpdateTaskInput {
  title?: string;
  description?: string | null;
  priority?: TaskPriority;
  due_date?: string | null;
}

/** Changes only the fields given. */
export function updateTask(userId: string, taskId: number, body: UpdateTaskInput) {
  return unwrap(api.PATCH('/api/{user_id}/tasks/{task_id}', { params: { path: { user_id: userId, task_id: String(taskId) } }, body }));
}

export function useUpdateTask(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ taskId, changes }: { taskId: number; changes: UpdateTaskInput }) => updateTask(userId, taskId, changes),
    onSuccess: (task) => applyTaskChange(queryClient, { task }),
  });
}
