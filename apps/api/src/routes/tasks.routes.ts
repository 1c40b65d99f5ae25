import { z } from 'zod';
import {
  CompleteTaskSchema,
  createTask,
  CreateTaskSchema,
  deleteTask,
  getTask,
  listTasks,
  ListTasksQuerySchema,
  setTaskCompleted,
  TaskIdSchema,
  TaskJsonSchema,
  TaskPageJsonSchema,
  taskToJson,
  updateTask,
  UpdateTaskSchema,
  withTaskFeed,
  type TaskWriter,
} from '@todo/core';
import type { ApiRequest } from '../http/route.js';
import type { AppDeps } from '../app.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';

const tag = 'Tasks';
const UserPath = z.object({ user_id: z.string().meta({ format: 'uuid' }) });
const TaskPath = UserPath.extend({ task_id: TaskIdSchema.meta({ description: 'Per-user task number' }) });
const notFound = { 404: { description: 'No such task for this user' } };

export function taskRoutes({ db, redis, config }: AppDeps): RouteDefinition[] {
  /** Runs a write (autocommitted) and then publishes it to the user's change feed. */
  const write = <T>(req: ApiRequest, userId: string, work: (writer: TaskWriter) => Promise<T>) =>
    withTaskFeed({ db, redis, redisKeyPrefix: config.redisKeyPrefix, logger: req.log }, userId, work);
  const update = (method: 'patch' | 'put', operationId: string) =>
    defineRoute({
      method,
      path: '/api/{user_id}/tasks/{task_id}',
      operationId,
      summary: method === 'patch' ? 'Change some fields of a task' : 'Change some fields of a task (same as PATCH)',
      tag,
      isAuthenticated: true,
      params: TaskPath,
      body: UpdateTaskSchema,
      responses: { 200: { description: 'The updated task', schema: TaskJsonSchema }, ...notFound },
      async handle({ userId, params, body, req }) {
        return { status: 200, body: taskToJson(await write(req, userId, (w) => updateTask(w, userId, params.task_id, body))) };
      },
    });
  const complete = (method: 'post' | 'patch', operationId: string) =>
    defineRoute({
      method,
      path: '/api/{user_id}/tasks/{task_id}/complete',
      operationId,
      summary: 'Mark a task done, or reopen it with {"completed": false}',
      tag,
      isAuthenticated: true,
      params: TaskPath,
      body: CompleteTaskSchema,
      responses: { 200: { description: 'The task', schema: TaskJsonSchema }, ...notFound },
      async handle({ userId, params, body, req }) {
        const task = await write(req, userId, (w) => setTaskCompleted(w, userId, params.task_id, body.completed));
        return { status: 200, body: taskToJson(task) };
      },
    });
  return [
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/tasks',
      operationId: 'listTasks',
      summary: 'List, filter, search and page through tasks',
      tag,
      isAuthenticated: true,
      params: UserPath,
      query: ListTasksQuerySchema,
      responses: { 200: { description: 'One page of tasks', schema: TaskPageJsonSchema } },
      async handle({ userId, query }) {
        const page = await listTasks(db, userId, query);
        return { status: 200, body: { tasks: page.tasks.map(taskToJson), next_cursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/{user_id}/tasks',
      operationId: 'createTask',
      summary: 'Create a task',
      tag,
      isAuthenticated: true,
      params: UserPath,
      body: CreateTaskSchema,
      responses: { 201: { description: 'The new task; its id is the next number for this user', schema: TaskJsonSchema } },
      async handle({ userId, body, req }) {
        const task = await write(req, userId, (w) => createTask(w, userId, body));
        return { status: 201, body: taskToJson(task), headers: { Location: `/api/${userId}/tasks/${task.id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/tasks/{task_id}',
      operationId: 'getTask',
      summary: 'Get one task',
      tag,
      isAuthenticated: true,
      params: TaskPath,
      responses: { 200: { description: 'The task', schema: TaskJsonSchema }, ...notFound },
      async handle({ userId, params }) {
        return { status: 200, body: taskToJson(await getTask(db, userId, params.task_id)) };
      },
    }),
    update('patch', 'updateTask'),
    update('put', 'replaceTaskFields'),
    complete('post', 'completeTask'),
    complete('patch', 'completeTaskPatch'),
    defineRoute({
      method: 'delete',
      path: '/api/{user_id}/tasks/{task_id}',
      operationId: 'deleteTask',
      summary: 'Delete a task (its number is not reused)',
      tag,
      isAuthenticated: true,
      params: TaskPath,
      responses: { 204: { description: 'Deleted' }, ...notFound },
      async handle({ userId, params, req }) {
        await write(req, userId, (w) => deleteTask(w, userId, params.task_id));
        return { status: 204 };
      },
    }),
  ];
}
