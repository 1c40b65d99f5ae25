/**
 * Messages with several commands: "mark task 1 as done and delete task 2". Independent
 * commands on numbered tasks run together. Steps that depend on each other ("... and
 * delete it", where "it" is the task of the first step) are refused rather than guessed,
 * except the common "add a task to X and make it high priority", which is one add.
 */
import type { Intent, TaskRef } from './intents.js';
import { isActionIntent } from './intents.js';

type ParseCommand = (text: string) => Intent | undefined;

/** A new command starts at a verb after "and", "then", ";" or ". ". */
const SPLIT = /\s*(?:;\s*|\.\s+|,?\s+and\s+(?:then\s+|also\s+)?|,?\s+then\s+|,\s+)(?=(?:please\s+)?(?:add|create|delete|remove|mark|complete|finish|show|list|change|update|rename|reopen|set|make|move|reschedule|postpone|uncheck|check\s+off|find|search|give)\b)/i;

const refsOf = (intent: Intent): TaskRef[] => (isActionIntent(intent) ? intent.targets : []);
const isCommand = (intent: Intent): boolean => ['add', 'list', 'complete', 'update', 'delete'].includes(intent.kind);
/** Safe to run next to other commands: nothing in it depends on them. */
const isExplicit = (intent: Intent): boolean => isCommand(intent) && refsOf(intent).every((r) => r.kind === 'id');

export function parseCompound(text: string, parseCommand: ParseCommand): Intent | undefined {
  const parts = text.split(SPLIT).filter((p) => p.trim() !== '');
  if (parts.length < 2) return undefined;
  const intents = parts.map(parseCommand);
  // "complete everything" needs its own lookup first: never mixed with other steps.
  if (intents.some((i) => i?.kind === 'complete-all')) return { kind: 'clarify', reason: 'compound', action: 'complete' };
  if (!intents.every((i): i is Intent => i !== undefined && isCommand(i))) return undefined;
  const [first, ...rest] = intents as [Intent, ...Intent[]];
  if (intents.every(isExplicit)) return { kind: 'several', intents };
  if (first.kind === 'add') {
    // "add a task to buy milk and make it high priority": the changes belong to the new task.
    const onNew = rest.every((i) => i.kind === 'update' && refsOf(i).every((r) => r.kind === 'last'));
    if (onNew && first.tasks.length === 1) {
      const changes = Object.assign({}, ...rest.map((i) => (i.kind === 'update' ? i.changes : {}))) as Record<string, unknown>;
      const title = first.tasks[0]?.title ?? '';
      return { kind: 'add', tasks: [{ ...first.tasks[0], ...changes, title: typeof changes.title === 'string' ? changes.title : title }] };
    }
    // "add a task to clean and remove old files": the "and" is part of the title.
    if (rest.every((i) => refsOf(i).every((r) => r.kind === 'title'))) return undefined;
  }
  return { kind: 'clarify', reason: 'compound', action: 'update' };
}
