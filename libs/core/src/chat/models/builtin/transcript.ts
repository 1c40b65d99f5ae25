/**
 * Reading the conversation back. The builtin model keeps no state between calls (a crashed
 * turn is replayed on another worker), so every step re-reads the tool calls and results
 * already in the messages. Results are parsed defensively: they come back as JSON text and
 * another provider may have produced part of the history.
 */
import type { ChatMessage, ToolCall } from '../../chat.types.js';

/** The task JSON the tools return (see taskToJson); only the fields the model reads. */
export interface TaskJson {
  id: number;
  title: string;
  description?: string | null;
  completed: boolean;
  priority?: string;
  due_date?: string | null;
}

export type ToolResult =
  | { success: true; task?: TaskJson; tasks?: TaskJson[]; count?: number; has_more?: boolean; deleted?: { id: number; title: string } }
  | { success: false; error: string };

/** One tool call of an assistant message, with its parsed arguments and result. */
export interface Exchange {
  name: string;
  args: Record<string, unknown>;
  /** Undefined when the history holds no (parseable) result for the call. */
  result: ToolResult | undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asTask(value: unknown): TaskJson | undefined {
  if (!isRecord(value) || typeof value.id !== 'number' || typeof value.title !== 'string') return undefined;
  return value as unknown as TaskJson;
}

export function asResult(value: unknown): ToolResult | undefined {
  if (!isRecord(value)) return undefined;
  if (value.success === false) {
    return { success: false, error: typeof value.error === 'string' ? value.error : 'unknown error' };
  }
  if (value.success !== true) return undefined;
  const result: ToolResult = { success: true };
  const task = asTask(value.task);
  if (task) result.task = task;
  if (Array.isArray(value.tasks)) result.tasks = value.tasks.map(asTask).filter((t): t is TaskJson => t !== undefined);
  if (typeof value.count === 'number') result.count = value.count;
  if (typeof value.has_more === 'boolean') result.has_more = value.has_more;
  if (isRecord(value.deleted) && typeof value.deleted.id === 'number') {
    result.deleted = { id: value.deleted.id, title: typeof value.deleted.title === 'string' ? value.deleted.title : '' };
  }
  return result;
}

export function lastUserIndex(messages: ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === 'user') return i;
  return -1;
}

function resultsById(messages: ChatMessage[]): Map<string, ToolResult | undefined> {
  const results = new Map<string, ToolResult | undefined>();
  for (const m of messages) if (m.role === 'tool') results.set(m.tool_call_id, asResult(parseJson(m.content)));
  return results;
}

function exchange(call: ToolCall, results: Map<string, ToolResult | undefined>): Exchange {
  const args = parseJson(call.function.arguments);
  return { name: call.function.name, args: isRecord(args) ? args : {}, result: results.get(call.id) };
}

/**
 * The tool steps of messages[from, to): one array per assistant message with tool calls,
 * oldest first.
 */
export function toolSteps(messages: ChatMessage[], from: number, to = messages.length): Exchange[][] {
  const results = resultsById(messages);
  const steps: Exchange[][] = [];
  for (let i = Math.max(0, from); i < to; i++) {
    const m = messages[i];
    if (m?.role === 'assistant' && m.tool_calls && m.tool_calls.length > 0) {
      steps.push(m.tool_calls.map((call) => exchange(call, results)));
    }
  }
  return steps;
}
