import type { StoredMessage } from '../../../lib/api-types';

/** One tool the assistant used, with its result once it has one. */
export interface ToolActivity {
  tool: string;
  input: unknown;
  result?: Record<string, unknown> | undefined;
}

interface TaskRef {
  id?: number;
  title?: string;
  completed?: boolean;
}

const label = (task: TaskRef | undefined) => (task ? `#${task.id ?? '?'} ${task.title ?? ''}`.trim() : '');

/** A short line a person reads at a glance: "Added #4 Buy milk", "Completed #4 Buy milk". */
export function describeToolActivity({ tool, input, result }: ToolActivity): string {
  if (!result) return { add_task: 'Adding a task…', list_tasks: 'Looking at your tasks…' }[tool] ?? 'Working on your tasks…';
  if (result.success === false) return `Could not ${tool.replace(/_/g, ' ')}: ${String(result.error ?? 'it failed')}`;
  const task = result.task as TaskRef | undefined;
  switch (tool) {
    case 'add_task':
      return `Added ${label(task)}`;
    case 'complete_task':
      return task?.completed === false ? `Reopened ${label(task)}` : `Completed ${label(task)}`;
    case 'update_task':
      return `Updated ${label(task)}`;
    case 'delete_task':
      return `Deleted ${label(result.deleted as TaskRef | undefined)}`;
    case 'list_tasks': {
      const count = typeof result.count === 'number' ? result.count : Array.isArray(result.tasks) ? result.tasks.length : 0;
      const status = (input as { status?: string } | undefined)?.status;
      const kind = status === 'pending' ? 'open ' : status === 'completed' ? 'done ' : '';
      return `Listed ${count} ${kind}${count === 1 ? 'task' : 'tasks'}`;
    }
    default:
      return `Used ${tool}`;
  }
}

/** Tools that change tasks (everything but listing), so the task list should refresh. */
export function changesTasks(tool: string): boolean {
  return tool !== 'list_tasks';
}

export type ChatItem =
  | { kind: 'user'; key: string; text: string }
  | { kind: 'assistant'; key: string; text: string }
  | { kind: 'tools'; key: string; activities: ToolActivity[] };

function parseJson(text: string | null | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Stored messages (model format) → what the chat shows: each tool call joined with its result. */
export function toChatItems(messages: StoredMessage[]): ChatItem[] {
  const items: ChatItem[] = [];
  const byCallId = new Map<string, ToolActivity>();
  messages.forEach((message, index) => {
    const key = `${index}-${message.created_at}`;
    if (message.role === 'user') items.push({ kind: 'user', key, text: message.content ?? '' });
    if (message.role === 'assistant') {
      if (message.tool_calls?.length) {
        const activities = message.tool_calls.map((call) => {
          const activity: ToolActivity = { tool: call.function.name, input: parseJson(call.function.arguments) };
          byCallId.set(call.id, activity);
          return activity;
        });
        items.push({ kind: 'tools', key: `${key}-tools`, activities });
      }
      if (message.content) items.push({ kind: 'assistant', key, text: message.content });
    }
    if (message.role === 'tool' && message.tool_call_id) {
      const activity = byCallId.get(message.tool_call_id);
      if (activity) activity.result = parseJson(message.content) as Record<string, unknown> | undefined;
    }
  });
  return items;
}
