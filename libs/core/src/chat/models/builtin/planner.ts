/**
 * The planner: from the whole conversation, the next step of the turn. A user message is
 * parsed into tool calls or a reply; after tool results, the same message is parsed again
 * (the model is stateless) to decide between a follow-up call (the by-title flow: look the
 * task up with list_tasks, then act on the one match) and the final answer.
 */
import type { ChatMessage } from '../../chat.types.js';
import type { ActionIntent, Intent, TaskRef } from './intents.js';
import { actionOf, isActionIntent } from './intents.js';
import { isMostlyNonLatin } from './language.js';
import { lastTouched } from './references.js';
import * as replies from './replies.js';
import { renderTask, summarize } from './summary.js';
import type { Exchange, TaskJson } from './transcript.js';
import { lastUserIndex, toolSteps } from './transcript.js';
import { parseUtterance } from './utterance.js';

export interface PlannedCall {
  name: string;
  args: Record<string, unknown>;
}

export type Plan = { kind: 'calls'; calls: PlannedCall[] } | { kind: 'text'; text: string };

const text = (t: string): Plan => ({ kind: 'text', text: t });

const TOOL_OF: Record<ActionIntent['kind'], string> = {
  complete: 'complete_task',
  update: 'update_task',
  delete: 'delete_task',
};

/** The call that applies an action to one task id. */
function actionCall(intent: ActionIntent, id: number): PlannedCall {
  switch (intent.kind) {
    case 'complete':
      return { name: 'complete_task', args: intent.completed ? { task_id: id } : { task_id: id, completed: false } };
    case 'delete':
      return { name: 'delete_task', args: { task_id: id } };
    case 'update':
      return { name: 'update_task', args: { task_id: id, ...intent.changes } };
  }
}

function titleRef(intent: ActionIntent): Extract<TaskRef, { kind: 'title' }> | undefined {
  const ref = intent.targets.find((r) => r.kind === 'title');
  return ref?.kind === 'title' ? ref : undefined;
}

function planAction(intent: ActionIntent, messages: ChatMessage[], userIndex: number, tools: Set<string>): Plan {
  const tool = TOOL_OF[intent.kind];
  if (!tools.has(tool)) return text(replies.unavailable(tool));
  const title = titleRef(intent);
  if (title) {
    if (!tools.has('list_tasks')) return text(replies.unavailable('list_tasks'));
    return { kind: 'calls', calls: [{ name: 'list_tasks', args: { query: title.query } }] };
  }
  const ids: number[] = [];
  for (const ref of intent.targets) {
    if (ref.kind === 'id') ids.push(ref.id);
    if (ref.kind !== 'last') continue;
    const last = lastTouched(messages, userIndex);
    if (last.kind === 'none') return text(replies.noReference(actionOf(intent)));
    if (last.kind === 'many') return text(replies.ambiguousReference(actionOf(intent), last.ids));
    ids.push(last.id);
  }
  return { kind: 'calls', calls: [...new Set(ids)].map((id) => actionCall(intent, id)) };
}

function planForUser(intent: Intent, messages: ChatMessage[], userIndex: number, tools: Set<string>): Plan {
  switch (intent.kind) {
    case 'greeting':
      return text(replies.greeting());
    case 'thanks':
      return text(replies.thanks());
    case 'help':
      return text(replies.help());
    case 'dismiss':
      return text(replies.dismiss());
    case 'unknown': {
      const message = messages[userIndex];
      return text(message?.role === 'user' && isMostlyNonLatin(message.content) ? replies.englishOnly() : replies.notUnderstood());
    }
    case 'clarify':
      return text(replies.clarify(intent.reason, intent.action));
    case 'complete-all':
      for (const tool of ['list_tasks', 'complete_task']) if (!tools.has(tool)) return text(replies.unavailable(tool));
      return { kind: 'calls', calls: [{ name: 'list_tasks', args: everyTaskLookup(intent.completed) }] };
    case 'add':
      if (!tools.has('add_task')) return text(replies.unavailable('add_task'));
      return { kind: 'calls', calls: intent.tasks.map((task) => ({ name: 'add_task', args: { ...task } })) };
    case 'list': {
      if (!tools.has('list_tasks')) return text(replies.unavailable('list_tasks'));
      const args: Record<string, unknown> = { status: intent.status };
      if (intent.query !== undefined) args.query = intent.query;
      if (intent.limit !== undefined) args.limit = intent.limit;
      if (intent.due) Object.assign(args, intent.due);
      return { kind: 'calls', calls: [{ name: 'list_tasks', args }] };
    }
    case 'several': {
      const calls: PlannedCall[] = [];
      for (const part of intent.intents) {
        const planned = planForUser(part, messages, userIndex, tools);
        if (planned.kind === 'text') return planned;
        calls.push(...planned.calls);
      }
      return { kind: 'calls', calls };
    }
    default:
      return planAction(intent, messages, userIndex, tools);
  }
}

/** Step one of "mark all my tasks as done": the tasks not yet in the asked state. */
function everyTaskLookup(completed: boolean): Record<string, unknown> {
  return { status: completed ? 'pending' : 'completed', limit: 100 };
}

function isEveryTaskLookup(step: Exchange[] | undefined, completed: boolean): step is [Exchange] {
  const args = step?.length === 1 && step[0]?.name === 'list_tasks' ? step[0].args : undefined;
  return args !== undefined && args.status === everyTaskLookup(completed).status && args.query === undefined;
}

/** After the lookup, one complete_task per task found; after those, the report of what changed. */
function planEveryTask(completed: boolean, steps: Exchange[][], tools: Set<string>, today: Date): Plan {
  const lookup = steps[0]![0]!.result;
  if (!lookup) return text(replies.lookupFailed('no result came back'));
  if (!lookup.success) return text(replies.lookupFailed(lookup.error));
  const tasks = (lookup.tasks ?? []).filter((t) => t.completed !== completed);
  if (steps.length === 1) {
    if (tasks.length === 0) return text(replies.nothingToChange(completed));
    if (!tools.has('complete_task')) return text(replies.unavailable('complete_task'));
    const calls = tasks.map((t) => ({ name: 'complete_task', args: completed ? { task_id: t.id } : { task_id: t.id, completed: false } }));
    return { kind: 'calls', calls };
  }
  const report = summarize(steps.slice(1).flat(), today);
  return text(lookup.has_more ? `${report}\n${replies.moreRemain(completed)}` : report);
}

const normTitle = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** Step two of the by-title flow: act on the single match, or say why not. */
function resolveLookup(intent: ActionIntent, query: string, lookup: Exchange, tools: Set<string>, today: Date): Plan {
  const result = lookup.result;
  if (!result) return text(replies.lookupFailed('no result came back'));
  if (!result.success) return text(replies.lookupFailed(result.error));
  const action = actionOf(intent);
  const found = result.tasks ?? [];
  if (found.length === 0) return text(replies.noMatch(query, action));
  // Completing a done task (or reopening an open one) is never what was meant.
  const candidates = intent.kind === 'complete' ? found.filter((t) => t.completed !== intent.completed) : found;
  if (candidates.length === 0 && intent.kind === 'complete') return text(replies.alreadyInState(found, intent.completed));
  let chosen: TaskJson | undefined = candidates.length === 1 ? candidates[0] : undefined;
  if (!chosen) {
    const exact = candidates.filter((t) => normTitle(t.title) === normTitle(query));
    if (exact.length === 1) chosen = exact[0];
  }
  if (!chosen) return text(replies.severalMatches(query, candidates, action, (t) => renderTask(t, today)));
  const call = actionCall(intent, chosen.id);
  if (!tools.has(call.name)) return text(replies.unavailable(call.name));
  return { kind: 'calls', calls: [call] };
}

function isLookup(step: Exchange[] | undefined, query: string): step is [Exchange] {
  return step?.length === 1 && step[0]?.name === 'list_tasks' && step[0].args.query === query;
}

function planAfterTools(messages: ChatMessage[], tools: Set<string>, today: Date): Plan {
  const userIndex = lastUserIndex(messages);
  const steps = toolSteps(messages, userIndex + 1);
  const user = messages[userIndex];
  const intent = user?.role === 'user' ? parseUtterance(user.content, today) : undefined;
  if (intent?.kind === 'complete-all' && isEveryTaskLookup(steps[0], intent.completed)) return planEveryTask(intent.completed, steps, tools, today);
  const title = intent && isActionIntent(intent) ? titleRef(intent) : undefined;
  const first = steps[0];
  const lookupFirst = title !== undefined && isLookup(first, title.query);
  if (intent && isActionIntent(intent) && title && isLookup(first, title.query) && steps.length === 1) {
    return resolveLookup(intent, title.query, first[0], tools, today);
  }
  // The lookup only found the task; the action's own result tells what happened.
  const reported = (lookupFirst ? steps.slice(1) : steps).flat();
  return text(summarize(reported, today));
}

export function plan(messages: ChatMessage[], tools: Set<string>, today: Date): Plan {
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') return planAfterTools(messages, tools, today);
  if (last?.role === 'user') {
    const userIndex = messages.length - 1;
    return planForUser(parseUtterance(last.content, today), messages, userIndex, tools);
  }
  return text(replies.greeting());
}
