import { z } from 'zod';
import { setTaskCompleted, TaskJsonSchema, taskToJson } from '../../tasks/index.js';
import { defineTool, successOutput } from './tool.js';

export const completeTaskTool = defineTool({
  name: 'complete_task',
  description: 'Mark a task as done, or as not done again with completed: false.',
  input: z.strictObject({
    task_id: z.number().int().positive().meta({ description: 'The task number, as in "task 3"' }),
    completed: z.boolean().default(true),
  }),
  output: successOutput({ task: TaskJsonSchema }),
  annotations: { title: 'Complete task', readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async execute({ db, userId }, input) {
    return { success: true, task: taskToJson(await setTaskCompleted(db, userId, input.task_id, input.completed)) };
  },
});
