import { z } from 'zod';
import { DueBoundSchema, listTasks, TaskJsonSchema, taskToJson } from '../../tasks/index.js';
import { defineTool, successOutput } from './tool.js';

const ListTasksInput = z.strictObject({
  status: z.enum(['all', 'pending', 'completed']).default('all').meta({ description: 'Which tasks to list' }),
  query: z.string().trim().max(200).optional().meta({ description: 'Only tasks whose title or description contains this text' }),
  limit: z.number().int().min(1).max(100).default(50),
  due_before: DueBoundSchema.optional()
    .meta({ description: 'Only tasks due strictly before this date; "today" is the user\'s local date, so due_before "today" lists overdue tasks' }),
  due_after: DueBoundSchema.optional().meta({ description: 'Only tasks due strictly after this date (a date, or yesterday/today/tomorrow)' }),
});

export const listTasksTool = defineTool({
  name: 'list_tasks',
  description: "List the user's tasks, optionally only pending or completed ones, or those matching a text.",
  input: ListTasksInput,
  output: successOutput({
    tasks: z.array(TaskJsonSchema),
    count: z.number().int().meta({ description: 'How many tasks this result holds' }),
    has_more: z.boolean().meta({ description: 'Whether more tasks matched than the limit allowed' }),
  }),
  annotations: { title: 'List tasks', readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async execute({ db, userId }, input) {
    const page = await listTasks(db, userId, {
      status: input.status,
      q: input.query,
      limit: input.limit,
      sort: input.due_before || input.due_after ? 'due_date' : 'id',
      due_before: input.due_before,
      due_after: input.due_after,
    });
    const tasks = page.tasks.map(taskToJson);
    return { success: true, tasks, count: tasks.length, has_more: page.nextCursor !== null };
  },
});
