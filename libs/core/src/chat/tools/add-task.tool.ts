import { CreateTaskSchema, createTask, TaskJsonSchema, taskToJson } from '../../tasks/index.js';
import { defineTool, successOutput } from './tool.js';

export const addTaskTool = defineTool({
  name: 'add_task',
  description: 'Create a task for the user. Returns the new task; its id is the number the user sees ("task 3").',
  input: CreateTaskSchema,
  output: successOutput({ task: TaskJsonSchema }),
  annotations: { title: 'Add task', readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async execute({ db, userId }, input) {
    return { success: true, task: taskToJson(await createTask(db, userId, input)) };
  },
});
