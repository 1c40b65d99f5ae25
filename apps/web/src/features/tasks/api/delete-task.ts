import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import type { Task } from '../../../lib/api-types';
import { applyTaskChange } from './task-cache';

export async function deleteTask(userId: string, taskId: number): Promise<void> {
  await unwrap(api.DELETE('/api/{user_id}/tasks/{task_id}', { params: { path: { user_id: userId, task_id: String(taskId) } } }));
}

export function useDeleteTask(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (task: Task) => deleteTask(userId, task.id),
    onSuccess: (_nothing, task) => applyTaskChange(queryClient, { task, isDeleted: true }),
  });
}
