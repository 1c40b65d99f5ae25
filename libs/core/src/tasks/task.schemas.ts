import { z } from 'zod';
import { PageLimitSchema } from '../platform/validation.js';

export const TaskPrioritySchema = z.enum(['low', 'medium', 'high'], { error: 'must be one of low, medium, high' });
export type TaskPriority = z.infer<typeof TaskPrioritySchema>;

const TitleSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(200, 'must be at most 200 characters')
  .meta({ example: 'Buy groceries' });

/** An empty description is stored as no description. */
const DescriptionSchema = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .transform((v) => (v === '' ? null : v))
  .nullable();

/** A calendar date; year 0000 passes ISO 8601 but not PostgreSQL, which has no year 0. */
export const IsoDateSchema = z.iso
  .date({ error: 'must be a calendar date like 2026-12-31' })
  .refine((d) => !d.startsWith('0000'), 'must be a calendar date like 2026-12-31');

/** A list bound: a calendar date, or yesterday/today/tomorrow in the user's time zone (resolveDueBounds). */
export const DueBoundSchema = z.union([IsoDateSchema, z.enum(['yesterday', 'today', 'tomorrow'])], {
  error: 'must be a calendar date like 2026-12-31, or yesterday, today or tomorrow',
});

export const CreateTaskSchema = z.strictObject({
  title: TitleSchema,
  description: DescriptionSchema.optional(),
  priority: TaskPrioritySchema.default('medium'),
  due_date: IsoDateSchema.nullable().optional(),
});
export type CreateTaskInput = z.infer<typeof CreateTaskSchema>;

/** The fields a change may set; shared by PATCH and the agent's update_task tool. */
export const TASK_CHANGE_FIELDS = {
  title: TitleSchema.optional(),
  description: DescriptionSchema.optional(),
  priority: TaskPrioritySchema.optional(),
  due_date: IsoDateSchema.nullable().optional(),
};

export const UpdateTaskSchema = z
  .strictObject({ ...TASK_CHANGE_FIELDS, completed: z.boolean().optional() })
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), {
    message: 'provide at least one of title, description, priority, due_date, completed',
  });
export type UpdateTaskInput = z.infer<typeof UpdateTaskSchema>;

export const CompleteTaskSchema = z.strictObject({
  completed: z.boolean().default(true),
});

/** Path ids: a positive 32-bit integer written in decimal. */
export const TaskIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, 'is too large'));

export const TASK_SORTS = ['id', 'created_at', 'updated_at', 'due_date', 'priority', 'title'] as const;
export type TaskSortField = (typeof TASK_SORTS)[number];
const SORT_VALUES = TASK_SORTS.flatMap((s) => [s, `-${s}`] as const);

export const ListTasksQuerySchema = z.object({
  status: z
    .enum(['all', 'pending', 'completed'], { error: 'must be one of all, pending, completed' })
    .default('all'),
  q: z.string().trim().max(200, 'must be at most 200 characters').optional()
    .meta({ description: 'Case-insensitive text searched in title and description' }),
  priority: TaskPrioritySchema.optional(),
  due_before: DueBoundSchema.optional()
    .meta({ description: 'Only tasks due strictly before this date; yesterday/today/tomorrow are the user\'s local dates (due_before=today: overdue)' }),
  due_after: DueBoundSchema.optional()
    .meta({ description: 'Only tasks due strictly after this date; yesterday/today/tomorrow are the user\'s local dates' }),
  sort: z
    .enum(SORT_VALUES as [string, ...string[]], { error: `must be one of ${SORT_VALUES.join(', ')}` })
    .default('id')
    .meta({ description: 'Field to sort by; a leading "-" sorts descending. Tasks without a due date come last.' }),
  limit: PageLimitSchema,
  cursor: z.string().max(512, 'is not a valid cursor').optional()
    .meta({ description: 'next_cursor from the previous page' }),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;

export const TaskJsonSchema = z
  .object({
    id: z.number().int().meta({ description: 'Per-user task number: 1 for your first task; never reused' }),
    title: z.string(),
    description: z.string().nullable(),
    completed: z.boolean(),
    priority: TaskPrioritySchema,
    due_date: z.string().nullable().meta({ format: 'date' }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    completed_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Task' });

export const TaskPageJsonSchema = z
  .object({ tasks: z.array(TaskJsonSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'TaskPage' });
