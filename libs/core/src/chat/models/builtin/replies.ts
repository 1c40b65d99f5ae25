/**
 * Wording of the replies that are not about tool results: small talk, help, and every
 * refusal or question. Whenever the model did not act, it says why and what it can do,
 * so the user always learns a phrasing that works.
 */
import type { ClarifyReason, TargetAction } from './intents.js';
import type { TaskJson } from './transcript.js';

export const CAPABILITIES = [
  'Here is what I can do:',
  '- Add tasks: "Add a task to buy groceries", "add a high priority task to call the bank due friday"',
  '- List tasks: "Show my tasks", "What\'s left to do?", "Show completed tasks", "Find tasks about milk"',
  '- Complete or reopen: "Mark task 1 as done", "Reopen task 1", "Mark all my tasks as done"',
  '- Change tasks: "Change task 1 to Buy organic groceries", "Make task 1 high priority", "Move task 1 to tomorrow"',
  '- Delete tasks: "Delete task 1"',
  'You can name a task by its number, by its title ("the milk task") or as "it" for the one we just talked about.',
].join('\n');

const VERB: Record<TargetAction | 'add', string> = {
  add: 'add',
  complete: 'mark as done',
  reopen: 'mark as not done',
  update: 'change',
  delete: 'delete',
};

export function example(action: TargetAction | 'add', id = 1): string {
  switch (action) {
    case 'add':
      return 'add a task to buy groceries';
    case 'complete':
      return `mark task ${id} as done`;
    case 'reopen':
      return `reopen task ${id}`;
    case 'update':
      return `change task ${id} to Buy organic groceries`;
    case 'delete':
      return `delete task ${id}`;
  }
}

export function greeting(): string {
  return `Hi! I'm your to-do assistant.\n\n${CAPABILITIES}`;
}

export function thanks(): string {
  return "You're welcome! Tell me whenever you want to add, list, complete, change or delete a task.";
}

export function dismiss(): string {
  return "Okay, I'll leave your tasks as they are.";
}

export function help(): string {
  return CAPABILITIES;
}

export function notUnderstood(): string {
  return `Sorry, I didn't understand that.\n\n${CAPABILITIES}`;
}

/** A message in a script the builtin model cannot read (see language.ts). */
export function englishOnly(): string {
  return (
    "Sorry, I can only read English, so I didn't understand that message. " +
    'Task titles can be in any language, e.g. "Add دودھ خریدنا" or "Add 买牛奶"; say "help" to see what I can do.'
  );
}

export function clarify(reason: ClarifyReason, action: TargetAction | 'add'): string {
  switch (reason) {
    case 'bulk':
      if (action === 'delete') {
        return (
          "I won't delete several tasks at once: deleting can't be undone, so I only delete tasks you name by number. " +
          `Tell me which ones, e.g. "delete task 2" or "delete tasks 2 and 4" (say "show my tasks" to see the numbers).\n\n${CAPABILITIES}`
        );
      }
      return (
        `I won't ${VERB[action]} several tasks at once without knowing exactly which ones. ` +
        `Tell me their numbers, e.g. "${example(action, 2)}" (say "show my tasks" to see the numbers).\n\n${CAPABILITIES}`
      );
    case 'missing-target':
      return `Which task should I ${VERB[action]}? Tell me its number or title, e.g. "${example(action)}".\n\n${CAPABILITIES}`;
    case 'missing-change':
      return (
        'What should I change? For example "change task 1 to Buy organic groceries", ' +
        `"make task 1 high priority" or "move task 1 to friday".\n\n${CAPABILITIES}`
      );
    case 'missing-title':
      return `What should the task be? For example "${example('add')}".`;
    case 'compound':
      return (
        'That is several steps that depend on each other, and I would rather not guess how. ' +
        `Please ask one thing at a time, naming tasks by number, e.g. "mark task 1 as done and delete task 2".\n\n${CAPABILITIES}`
      );
    case 'bad-date':
      return 'I didn\'t understand that date. Try "today", "tomorrow", "friday", "next week", "in 3 days" or a date like 2026-12-24.';
  }
}

/** "it" when no task came up in this conversation yet. */
export function noReference(action: TargetAction): string {
  return (
    `I'm not sure which task you mean: no task has come up in this conversation yet, so I won't ${VERB[action]} anything. ` +
    `Tell me its number or title, e.g. "${example(action)}".\n\n${CAPABILITIES}`
  );
}

/** "it" when the last step touched several tasks. */
export function ambiguousReference(action: TargetAction, ids: number[]): string {
  const list = ids.map((id) => `task ${id}`);
  const options = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : (list[0] ?? '');
  return `Which one do you mean: ${options}? Tell me the number, e.g. "${example(action, ids[0] ?? 1)}".\n\n${CAPABILITIES}`;
}

export function unavailable(tool: string): string {
  return `I can't do that right now: the ${tool} tool isn't available in this conversation.`;
}

const quote = (title: string): string => `'${title}'`;

export function noMatch(query: string, action: TargetAction): string {
  return `I couldn't find a task matching ${quote(query)}, so I didn't ${VERB[action]} anything. Say "show my tasks" to see your tasks and their numbers.`;
}

export function severalMatches(query: string, tasks: TaskJson[], action: TargetAction, renderTask: (t: TaskJson) => string): string {
  const lines = tasks.map((t) => `- ${renderTask(t)}`).join('\n');
  const first = tasks[0]?.id ?? 1;
  return `Several tasks match ${quote(query)}:\n${lines}\nWhich one should I ${VERB[action]}? Tell me its number, e.g. "${example(action, first)}".`;
}

export function alreadyInState(tasks: TaskJson[], completed: boolean): string {
  const state = completed ? 'already done' : 'not done yet';
  if (tasks.length === 1 && tasks[0]) return `${quote(tasks[0].title)} (task ${tasks[0].id}) is ${state}.`;
  return `All the tasks matching that are ${state}: ${tasks.map((t) => `${quote(t.title)} (task ${t.id})`).join(', ')}.`;
}

/** "mark all my tasks as done" with nothing pending (or "reopen everything" with nothing done). */
export function nothingToChange(completed: boolean): string {
  return completed ? 'You have no pending tasks, so there was nothing to mark as done.' : 'You have no completed tasks, so there was nothing to reopen.';
}

export function moreRemain(completed: boolean): string {
  return `There are more ${completed ? 'pending' : 'completed'} tasks than I change at once; say it again to do the rest.`;
}

export function lookupFailed(error: string): string {
  return `I couldn't search your tasks: ${error.replace(/[.\s]+$/, '')}.`;
}
