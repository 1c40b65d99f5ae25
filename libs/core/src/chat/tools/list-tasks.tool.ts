import { z } from 'zod';
import { listTasks, taskToJson } from '../../tasks/index.js';
import { defineTool } from './tool.js';

const ListTasksInput = z.strictObject({
  status: z.enum(['all', 'pending', 'completed']).default('all').meta({ description: 'Which tasks to list' }),
  query: z.string().trim().max(200).optional().meta({ description: 'Only tasks whose title or description contains this text' }),
  limit: z.number().int().min(1).max(100).default(50),
});

export const listTasksTool = defineTool({
  name: 'list_tasks',
  description: "List the user's tasks, optionally only pending or completed ones, or those matching a text.",
  input: ListTasksInput,
  annotations: { title: 'List tasks', readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async execute({ db, userId }, input) {
    const page = await listTasks(db, userId, { status: input.status, q: input.query, limit: input.limit, sort: 'id' });
    const tasks = page.tasks.map(taskToJson);
    return { success: true, tasks, count: tasks.length, has_more: page.nextCursor !== null };
  },
});
