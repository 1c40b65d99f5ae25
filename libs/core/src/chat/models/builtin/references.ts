/**
 * Reference resolution: which task "it"/"that" means. It is the task the conversation last
 * touched: the most recent tool step that names a task, through a result's `task.id` or
 * `deleted.id` (a search that found exactly one task counts too), or a call's `task_id`
 * when no result came back. A step that touched several tasks makes "it" ambiguous, and
 * the model then asks instead of picking one.
 */
import type { ChatMessage } from '../../chat.types.js';
import type { Exchange } from './transcript.js';
import { toolSteps } from './transcript.js';

export type LastTouched =
  | { kind: 'none' }
  | { kind: 'one'; id: number }
  | { kind: 'many'; ids: number[] };

/** A call's task_id; another provider may have sent it as a numeric string. */
function argId(args: Record<string, unknown>): number[] {
  const id = args.task_id;
  if (typeof id === 'number' && Number.isInteger(id)) return [id];
  return typeof id === 'string' && /^\d+$/.test(id) ? [Number(id)] : [];
}

function touchedBy(exchange: Exchange): number[] {
  const { result, args } = exchange;
  if (result === undefined) return argId(args);
  // A failed call ("task 9 not found") touched nothing.
  if (!result.success) return [];
  if (result.task) return [result.task.id];
  if (result.deleted) return [result.deleted.id];
  if (result.tasks?.length === 1 && result.tasks[0]) return [result.tasks[0].id];
  if (result.tasks) return [];
  return argId(args);
}

/** The task(s) of the latest tool step before messages[before] that touched any. */
export function lastTouched(messages: ChatMessage[], before: number): LastTouched {
  const steps = toolSteps(messages, 0, before);
  for (let i = steps.length - 1; i >= 0; i--) {
    const ids = [...new Set((steps[i] ?? []).flatMap(touchedBy))];
    if (ids.length === 1 && ids[0] !== undefined) return { kind: 'one', id: ids[0] };
    if (ids.length > 1) return { kind: 'many', ids };
  }
  return { kind: 'none' };
}
