import { z } from 'zod';
import { deleteTask, getTask } from '../../tasks/index.js';
import { defineTool, successOutput } from './tool.js';

export const deleteTaskTool = defineTool({
  name: 'delete_task',
  description: 'Delete a task for good, by its number. Its number is never reused.',
  input: z.strictObject({ task_id: z.number().int().positive().meta({ description: 'The task number, as in "task 3"' }) }),
  output: successOutput({ deleted: z.object({ id: z.number().int(), title: z.string() }) }),
  annotations: { title: 'Delete task', readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  async execute({ db, userId }, { task_id }) {
    const task = await getTask(db, userId, task_id);
    await deleteTask(db, userId, task_id);
    return { success: true, deleted: { id: task.id, title: task.title } };
  },
});
