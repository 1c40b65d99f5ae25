/**
 * What the builtin model understood a user message to ask. The parser produces one intent
 * per message; the planner turns it into tool calls or a reply. Keeping this a plain data
 * type lets a later step of the same turn re-derive the plan from the message alone.
 */
import type { Priority } from './attributes.js';

/** Which task a sentence points at. */
export type TaskRef =
  | { kind: 'id'; id: number }
  /** "it", "that": the task the conversation last touched. */
  | { kind: 'last' }
  /** "the milk task", "buy milk": found with list_tasks first. */
  | { kind: 'title'; query: string };

export interface TaskChanges {
  title?: string;
  description?: string;
  priority?: Priority;
  due_date?: string | null;
}

export interface NewTask extends TaskChanges {
  title: string;
}

export type ListStatus = 'all' | 'pending' | 'completed';

/** "what's overdue?", "what's due tomorrow?", "due by friday": strict bounds on due_date, as the user's local dates. */
export interface DueFilter {
  due_before?: string;
  due_after?: string;
}

/** The actions that need a target, named as the user would say them. */
export type TargetAction = 'complete' | 'reopen' | 'update' | 'delete';

export type ClarifyReason =
  /** "delete all my tasks", "make them all high priority": never done in bulk. */
  | 'bulk'
  /** "delete", "mark as done": no task named. */
  | 'missing-target'
  /** "change task 3": nothing to change. */
  | 'missing-change'
  /** "add a task": nothing to add. */
  | 'missing-title'
  /** "move task 3 to someday": a date that is not one. */
  | 'bad-date'
  /** "mark the milk task as done and delete it": several steps that depend on each other. */
  | 'compound';

export type Intent =
  | { kind: 'add'; tasks: NewTask[] }
  | { kind: 'list'; status: ListStatus; query?: string; limit?: number; due?: DueFilter }
  | { kind: 'complete'; targets: TaskRef[]; completed: boolean }
  | { kind: 'update'; targets: TaskRef[]; changes: TaskChanges }
  | { kind: 'delete'; targets: TaskRef[] }
  /** "mark all my tasks as done", "reopen everything": every pending (or completed) task. */
  | { kind: 'complete-all'; completed: boolean }
  /** "mark task 1 as done and delete task 2": independent commands, all by number. */
  | { kind: 'several'; intents: Intent[] }
  | { kind: 'greeting' }
  | { kind: 'thanks' }
  /** "never mind", "forget it": nothing to do. */
  | { kind: 'dismiss' }
  | { kind: 'help' }
  | { kind: 'clarify'; reason: ClarifyReason; action: TargetAction | 'add' }
  | { kind: 'unknown' };

export type ActionIntent = Extract<Intent, { kind: 'complete' | 'update' | 'delete' }>;

export function isActionIntent(intent: Intent): intent is ActionIntent {
  return intent.kind === 'complete' || intent.kind === 'update' || intent.kind === 'delete';
}

export function actionOf(intent: ActionIntent): TargetAction {
  if (intent.kind === 'complete') return intent.completed ? 'complete' : 'reopen';
  return intent.kind;
}
