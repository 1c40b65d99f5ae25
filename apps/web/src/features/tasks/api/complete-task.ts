import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { applyTaskChange } from './task-cache';

/** Marks a task done, or reopens it with `completed: false`. */
export function completeTask(userId: string, taskId: number, completed: boolean) {
  return unwrap(
    api.POST('/api/{user_id}/tasks/{task_id}/complete', { params: { path: { user_id: userId, task_id: String(taskId) } }, body: { completed } }),
  );
}

export function useCompleteTask(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ taskId, completed }: { taskId: number; completed: boolean }) => completeTask(userId, taskId, completed),
    onSuccess: (task) => applyTaskChange(queryClient, { task }),
  });
}
