import { z } from 'zod';
import type { Queryable } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import {
  deleteTaskRow,
  insertTask,
  selectTask,
  selectTasks,
  updateTaskRow,
  type Task,
  type TaskKey,
  type TaskOrder,
  type TaskPatch,
} from './task.repository.js';
import { noteTaskChange, type TaskWriter } from './task-events.js';
import { IsoDateSchema, type CreateTaskInput, type ListTasksQuery, type TaskSortField, type UpdateTaskInput } from './task.schemas.js';

// Writes take a TaskWriter and note each change on it; the writer's owner publishes the changes to
// the user's feed once its transaction has committed (task-events.ts).

export async function createTask(db: TaskWriter, userId: string, input: CreateTaskInput): Promise<Task> {
  const task = await insertTask(db, userId, {
    title: input.title,
    description: input.description ?? null,
    priority: input.priority,
    dueDate: input.due_date ?? null,
  });
  noteTaskChange(db, 'task.created', task);
  return task;
}

export async function getTask(db: Queryable, userId: string, taskId: number): Promise<Task> {
  const task = await selectTask(db, userId, taskId);
  if (!task) throw notFound(`Task ${taskId}`);
  return task;
}

export async function updateTask(db: TaskWriter, userId: string, taskId: number, input: UpdateTaskInput): Promise<Task> {
  return changeTask(db, userId, taskId, {
    title: input.title,
    description: input.description,
    priority: input.priority,
    dueDate: input.due_date,
    completed: input.completed,
  });
}

export async function setTaskCompleted(db: TaskWriter, userId: string, taskId: number, completed: boolean): Promise<Task> {
  return changeTask(db, userId, taskId, { completed });
}

async function changeTask(db: TaskWriter, userId: string, taskId: number, patch: TaskPatch): Promise<Task> {
  const task = await updateTaskRow(db, userId, taskId, patch);
  if (!task) throw notFound(`Task ${taskId}`);
  noteTaskChange(db, 'task.updated', task);
  return task;
}

/** Deletes a task and returns it as it was. */
export async function deleteTask(db: TaskWriter, userId: string, taskId: number): Promise<Task> {
  const task = await deleteTaskRow(db, userId, taskId);
  if (!task) throw notFound(`Task ${taskId}`);
  noteTaskChange(db, 'task.deleted', task);
  return task;
}

export interface TaskPage {
  tasks: Task[];
  nextCursor: string | null;
}

export async function listTasks(db: Queryable, userId: string, query: ListTasksQuery): Promise<TaskPage> {
  const order: TaskOrder = {
    field: query.sort.replace(/^-/, '') as TaskSortField,
    isDescending: query.sort.startsWith('-'),
  };
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort, order.field);
  const rows = await selectTasks(db, userId, {
    filter: {
      status: query.status,
      text: query.q || undefined,
      priority: query.priority,
      dueBefore: query.due_before,
      dueAfter: query.due_after,
    },
    order,
    after,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > query.limit && last ? encodeCursor(query.sort, last.key) : null;
  return { tasks: page.map((r) => r.task), nextCursor };
}

/** What a cursor's value must look like for each sort, so a forged cursor is a 400 and never a SQL error. */
const Timestamp = z.iso.datetime().refine((v) => !v.startsWith('0000'));
const CURSOR_VALUE: Record<TaskSortField, z.ZodType<string | number>> = {
  id: z.number().int().min(0).max(2_147_483_647),
  created_at: Timestamp,
  updated_at: Timestamp,
  due_date: z.union([IsoDateSchema, z.enum(['infinity', '-infinity'])]),
  priority: z.enum(['low', 'medium', 'high']),
  title: z.string().max(200).refine((v) => !v.includes('\u0000')),
};

function encodeCursor(sort: string, key: TaskKey): string {
  return Buffer.from(JSON.stringify({ s: sort, v: key.value, i: key.id })).toString('base64url');
}

function decodeCursor(cursor: string, sort: string, field: TaskSortField): TaskKey {
  const invalid = new AppError('validation_failed', 'The cursor is not valid for this list.', {
    errors: [{ path: 'cursor', message: 'is not a cursor returned by this list with the same sort' }],
  });
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const parsed = z
    .object({ s: z.literal(sort), v: CURSOR_VALUE[field], i: z.number().int().min(1).max(2_147_483_647) })
    .safeParse(decoded);
  if (!parsed.success) throw invalid;
  return { value: parsed.data.v, id: parsed.data.i };
}

export interface TaskJson {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  priority: Task['priority'];
  due_date: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** The one JSON shape of a task, for the REST API and the agent's tools alike. */
export function taskToJson(task: Task): TaskJson {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    completed: task.completed,
    priority: task.priority,
    due_date: task.dueDate,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
    completed_at: task.completedAt ? task.completedAt.toISOString() : null,
  };
}
