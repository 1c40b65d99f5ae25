import { createHash } from 'node:crypto';
import type { Queryable } from '../platform/db/index.js';
import type { TaskPriority, TaskSortField } from './task.schemas.js';

export interface Task {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  priority: TaskPriority;
  dueDate: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

interface TaskRow {
  number: number;
  title: string;
  description: string | null;
  completed: boolean;
  priority: TaskPriority;
  due_date: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

const COLUMNS = 'number, title, description, completed, priority, due_date, created_at, updated_at, completed_at';

function toTask(row: TaskRow): Task {
  return {
    id: row.number,
    title: row.title,
    description: row.description,
    completed: row.completed,
    priority: row.priority,
    dueDate: row.due_date,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

/** Takes the user's next task number and inserts the task in one statement, so numbers are never reused. */
export async function insertTask(
  db: Queryable,
  userId: string,
  input: { title: string; description: string | null; priority: TaskPriority; dueDate: string | null },
): Promise<Task> {
  const { rows } = await db.query<TaskRow>({
    name: 'task-insert',
    text: `WITH seq AS (UPDATE users SET task_seq = task_seq + 1 WHERE id = $1 RETURNING task_seq)
           INSERT INTO tasks (user_id, number, title, description, priority, due_date)
           SELECT $1, task_seq, $2, $3, $4, $5 FROM seq
           RETURNING ${COLUMNS}`,
    values: [userId, input.title, input.description, input.priority, input.dueDate],
  });
  return toTask(rows[0]!);
}

export async function selectTask(db: Queryable, userId: string, taskId: number): Promise<Task | null> {
  const { rows } = await db.query<TaskRow>({
    name: 'task-select',
    text: `SELECT ${COLUMNS} FROM tasks WHERE user_id = $1 AND number = $2`,
    values: [userId, taskId],
  });
  return rows[0] ? toTask(rows[0]) : null;
}

export interface TaskPatch {
  title?: string;
  description?: string | null;
  priority?: TaskPriority;
  dueDate?: string | null;
  completed?: boolean;
}

const PATCH_COLUMNS: Record<Exclude<keyof TaskPatch, 'completed'>, string> = {
  title: 'title',
  description: 'description',
  priority: 'priority',
  dueDate: 'due_date',
};

/** Applies the given fields; completed_at follows `completed` (kept when a completed task is completed again). */
export async function updateTaskRow(db: Queryable, userId: string, taskId: number, patch: TaskPatch): Promise<Task | null> {
  const values: unknown[] = [userId, taskId];
  const sets = ['updated_at = now()'];
  for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof typeof PATCH_COLUMNS, string][]) {
    if (patch[key] === undefined) continue;
    values.push(patch[key]);
    sets.push(`${column} = $${values.length}`);
  }
  if (patch.completed !== undefined) {
    values.push(patch.completed);
    const p = `$${values.length}`;
    sets.push(`completed = ${p}`, `completed_at = CASE WHEN ${p} THEN COALESCE(completed_at, now()) ELSE NULL END`);
  }
  const { rows } = await db.query<TaskRow>(
    `UPDATE tasks SET ${sets.join(', ')} WHERE user_id = $1 AND number = $2 RETURNING ${COLUMNS}`,
    values,
  );
  return rows[0] ? toTask(rows[0]) : null;
}

/** Deletes the task and returns it as it was; null when there was none. */
export async function deleteTaskRow(db: Queryable, userId: string, taskId: number): Promise<Task | null> {
  const { rows } = await db.query<TaskRow>(`DELETE FROM tasks WHERE user_id = $1 AND number = $2 RETURNING ${COLUMNS}`, [userId, taskId]);
  return rows[0] ? toTask(rows[0]) : null;
}

export interface TaskFilter {
  status: 'all' | 'pending' | 'completed';
  text?: string;
  priority?: TaskPriority;
  dueBefore?: string;
  dueAfter?: string;
}

export interface TaskOrder {
  field: TaskSortField;
  isDescending: boolean;
}

/** The SQL expression and cast of each sort; tasks without a due date sort last either way. */
const SORT_SQL: Record<TaskSortField, { asc: string; desc: string; cast: string }> = {
  id: { asc: 'number', desc: 'number', cast: 'integer' },
  created_at: { asc: 'created_at', desc: 'created_at', cast: 'timestamptz' },
  updated_at: { asc: 'updated_at', desc: 'updated_at', cast: 'timestamptz' },
  due_date: { asc: "COALESCE(due_date, 'infinity'::date)", desc: "COALESCE(due_date, '-infinity'::date)", cast: 'date' },
  priority: { asc: 'priority', desc: 'priority', cast: 'task_priority' },
  title: { asc: 'lower(title)', desc: 'lower(title)', cast: 'text' },
};

export interface TaskKey {
  /** The sort expression's value for the last row of the previous page. */
  value: string | number;
  id: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One page in keyset order: rows strictly after `after`, plus each row's sort key for the next cursor. */
export async function selectTasks(
  db: Queryable,
  userId: string,
  options: { filter: TaskFilter; order: TaskOrder; after?: TaskKey; limit: number },
): Promise<{ task: Task; key: TaskKey }[]> {
  const { filter, order, after, limit } = options;
  const values: unknown[] = [userId];
  const where = ['user_id = $1'];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.status !== 'all') where.push(`completed = ${filter.status === 'completed'}`);
  if (filter.text) {
    const p = param(`%${escapeLike(filter.text)}%`);
    where.push(`(title ILIKE ${p} OR description ILIKE ${p})`);
  }
  if (filter.priority) where.push(`priority = ${param(filter.priority)}`);
  if (filter.dueBefore) where.push(`due_date < ${param(filter.dueBefore)}`);
  if (filter.dueAfter) where.push(`due_date > ${param(filter.dueAfter)}`);
  const sort = SORT_SQL[order.field];
  const expr = order.isDescending ? sort.desc : sort.asc;
  const direction = order.isDescending ? 'DESC' : 'ASC';
  if (after) {
    const comparison = order.isDescending ? '<' : '>';
    where.push(`(${expr}, number) ${comparison} (${param(after.value)}::${sort.cast}, ${param(after.id)}::integer)`);
  }
  const text = `SELECT ${COLUMNS}, ${expr} AS sort_key FROM tasks
     WHERE ${where.join(' AND ')}
     ORDER BY ${expr} ${direction}, number ${direction}
     LIMIT ${param(limit)}`;
  // The text varies only with which filters are present, so a handful of prepared statements cover every list.
  const name = `task-list-${createHash('sha1').update(text).digest('base64url')}`;
  const { rows } = await db.query<TaskRow & { sort_key: string | number | Date }>({ name, text, values });
  return rows.map((row) => ({
    task: toTask(row),
    key: { value: row.sort_key instanceof Date ? row.sort_key.toISOString() : row.sort_key, id: row.number },
  }));
}
