/**
 * The final answer of a turn, written from the tool results alone (the arguments say what
 * was asked, the results what happened). Working from results, not from the parsed
 * message, keeps the answer right even for a history another provider wrote.
 */
import { addDays, describeDueDate, toIsoDate } from './dates.js';
import type { Exchange, TaskJson, ToolResult } from './transcript.js';

const quote = (title: string): string => `'${title}'`;
const named = (t: { id: number; title: string }): string => `${quote(t.title)} (task ${t.id})`;

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One line of a list: "#3 ✓ Buy milk (high priority, due 2026-03-06 (tomorrow))". */
export function renderTask(task: TaskJson, today: Date): string {
  const details: string[] = [];
  if (task.priority) details.push(`${task.priority} priority`);
  if (task.due_date) details.push(`due ${describeDueDate(task.due_date, today, !task.completed)}`);
  const suffix = details.length > 0 ? ` — ${details.join(', ')}` : '';
  return `#${task.id} ${task.completed ? '✓' : '○'} ${task.title}${suffix}`;
}

function addedDetails(task: TaskJson, today: Date): string {
  const details: string[] = [];
  if (task.priority && task.priority !== 'medium') details.push(`${task.priority} priority`);
  if (task.due_date) details.push(`due ${describeDueDate(task.due_date, today)}`);
  return details.length > 0 ? `, ${details.join(', ')}` : '';
}

const isIsoDate = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
const dayOf = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** How the list's due bounds read: "overdue tasks", "tasks due tomorrow", "tasks due by 2026-03-10" (on or before). */
function dueKind(args: Record<string, unknown>, today: Date): string | undefined {
  const before = isIsoDate(args.due_before) ? args.due_before : undefined;
  const after = isIsoDate(args.due_after) ? args.due_after : undefined;
  if (!before && !after) return undefined;
  if (before === toIsoDate(today) && !after) return 'overdue tasks';
  if (!after) return `tasks due by ${toIsoDate(addDays(dayOf(before!), -1))}`;
  if (!before) return `tasks due after ${after}`;
  const first = addDays(dayOf(after), 1);
  const last = addDays(dayOf(before), -1);
  if (last < first) return 'tasks due in that range';
  if (toIsoDate(first) === toIsoDate(last)) {
    const days = Math.round((first.getTime() - today.getTime()) / 86_400_000);
    return days === 0 ? 'tasks due today' : days === 1 ? 'tasks due tomorrow' : `tasks due on ${toIsoDate(first)}`;
  }
  return `tasks due from ${toIsoDate(first)} to ${toIsoDate(last)}`;
}

function listAnswer(args: Record<string, unknown>, result: Extract<ToolResult, { success: true }>, today: Date): string {
  const status = args.status === 'pending' || args.status === 'completed' ? args.status : 'all';
  const query = typeof args.query === 'string' && args.query.trim() !== '' ? args.query.trim() : undefined;
  const tasks = result.tasks ?? [];
  let kind = status === 'all' ? 'tasks' : `${status} tasks`;
  const due = dueKind(args, today);
  if (due) kind = due;
  if (tasks.length === 0) {
    if (query) return `I found no ${kind} matching ${quote(query)}.`;
    return status === 'all' ? 'You have no tasks yet. Say "add a task to …" to create one.' : `You have no ${kind}.`;
  }
  let header = query ? `Here are the ${kind} matching ${quote(query)}` : `Here are your ${kind}`;
  if (status === 'all') {
    const done = tasks.filter((t) => t.completed).length;
    header += ` (${tasks.length}: ${tasks.length - done} pending, ${done} done):`;
  } else {
    header += ` (${tasks.length}):`;
  }
  const lines = tasks.map((t) => `- ${renderTask(t, today)}`);
  const more = result.has_more ? '\nThere are more; ask me to find a specific one.' : '';
  return `${header}\n${lines.join('\n')}${more}`;
}

function updateAnswer(args: Record<string, unknown>, task: TaskJson, today: Date): string {
  const changed = Object.keys(args).filter((k) => k !== 'task_id');
  if (changed.length === 1 && changed[0] === 'title') return `I've renamed task ${task.id} to ${quote(task.title)}.`;
  const parts: string[] = [];
  if ('title' in args) parts.push(`title ${quote(task.title)}`);
  if ('priority' in args) parts.push(`${task.priority ?? String(args.priority)} priority`);
  if ('due_date' in args) parts.push(task.due_date ? `due ${describeDueDate(task.due_date, today, !task.completed)}` : 'no due date');
  if ('description' in args) parts.push(task.description ? `description "${task.description}"` : 'no description');
  return `I've updated ${named(task)}: ${parts.length > 0 ? parts.join(', ') : 'saved'}.`;
}

function target(args: Record<string, unknown>): string {
  return args.task_id !== undefined ? `task ${String(args.task_id)}` : 'that task';
}

function failure(exchange: Exchange, error: string): string {
  const why = error.replace(/[.\s]+$/, '');
  const { name, args } = exchange;
  switch (name) {
    case 'add_task':
      return `I couldn't add ${typeof args.title === 'string' ? quote(args.title) : 'that task'}: ${why}.`;
    case 'list_tasks':
      return `I couldn't list your tasks: ${why}.`;
    case 'complete_task':
      return `I couldn't mark ${target(args)} as ${args.completed === false ? 'not done' : 'done'}: ${why}.`;
    case 'update_task':
      return `I couldn't update ${target(args)}: ${why}.`;
    case 'delete_task':
      return `I couldn't delete ${target(args)}: ${why}.`;
    default:
      return `The ${name} step failed: ${why}.`;
  }
}

/** Successful adds, completions and deletions of one kind read better as one sentence. */
function groupKey(e: Exchange): string | undefined {
  if (!e.result?.success) return undefined;
  if (e.name === 'add_task' && e.result.task) return 'add';
  if (e.name === 'delete_task' && e.result.deleted) return 'delete';
  if (e.name === 'complete_task' && e.result.task) return e.result.task.completed ? 'done' : 'undone';
  return undefined;
}

function groupAnswer(key: string, group: Exchange[], today: Date): string {
  const tasks = group.map((e) => (e.result?.success ? (e.result.task ?? e.result.deleted) : undefined)).filter((t) => t !== undefined);
  const one = tasks.length === 1 && tasks[0];
  switch (key) {
    case 'add':
      if (one) return `I've added ${named(one)}${addedDetails(one as TaskJson, today)}.`;
      return `I've added ${tasks.length} tasks: ${joinAnd(tasks.map((t) => `${named(t)}${addedDetails(t as TaskJson, today)}`))}.`;
    case 'delete':
      return one ? `I've deleted ${named(one)}.` : `I've deleted ${tasks.length} tasks: ${joinAnd(tasks.map(named))}.`;
    default: {
      const state = key === 'done' ? 'done' : 'not done';
      return one ? `I've marked ${named(one)} as ${state}.` : `I've marked ${tasks.length} tasks as ${state}: ${joinAnd(tasks.map(named))}.`;
    }
  }
}

function single(e: Exchange, today: Date): string {
  const result = e.result;
  if (result === undefined) return `I ran ${e.name}, but got no result back.`;
  if (!result.success) return failure(e, result.error);
  if (e.name === 'list_tasks') return listAnswer(e.args, result, today);
  if (e.name === 'update_task' && result.task) return updateAnswer(e.args, result.task, today);
  if (result.task) return `Done: ${named(result.task)}.`;
  return 'Done.';
}

/** The answer for the exchanges of a turn, in the order they ran. */
export function summarize(exchanges: Exchange[], today: Date): string {
  const paragraphs: string[] = [];
  for (let i = 0; i < exchanges.length; ) {
    const e = exchanges[i]!;
    const key = groupKey(e);
    if (key === undefined) {
      paragraphs.push(single(e, today));
      i++;
      continue;
    }
    let j = i + 1;
    while (j < exchanges.length && groupKey(exchanges[j]!) === key) j++;
    paragraphs.push(groupAnswer(key, exchanges.slice(i, j), today));
    i = j;
  }
  return paragraphs.length > 0 ? paragraphs.join('\n') : 'Done.';
}
