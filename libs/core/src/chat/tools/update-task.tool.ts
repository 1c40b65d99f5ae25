import { z } from 'zod';
import { TASK_CHANGE_FIELDS, TaskJsonSchema, updateTask, taskToJson } from '../../tasks/index.js';
import { defineTool, successOutput } from './tool.js';

const UpdateTaskInput = z
  .strictObject({
    task_id: z.number().int().positive().meta({ description: 'The task number, as in "task 3"' }),
    ...TASK_CHANGE_FIELDS,
  })
  .refine((v) => ['title', 'description', 'priority', 'due_date'].some((k) => v[k as keyof typeof v] !== undefined), {
    message: 'provide at least one of title, description, priority, due_date',
  });

export const updateTaskTool = defineTool({
  name: 'update_task',
  description: 'Change the title, description, priority or due date of a task, by its number.',
  input: UpdateTaskInput,
  output: successOutput({ task: TaskJsonSchema }),
  annotations: { title: 'Update task', readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async execute({ db, userId }, { task_id, ...fields }) {
    return { success: true, task: taskToJson(await updateTask(db, userId, task_id, fields)) };
  },
});
