/**
 * The object of an action ("task 1", "tasks 2, 4", "#3", "it", "the milk task"), parsed
 * into task references. "All my tasks" / "everything" is reported as every task (only
 * completing or reopening accept it); anything else that means several unnamed tasks
 * ("them", "those", "both") is reported as bulk so the model asks instead of guessing.
 */
import { unquote } from './attributes.js';
import type { TaskRef } from './intents.js';

export type TargetParse =
  | { kind: 'refs'; refs: TaskRef[] }
  /** "all my tasks", "everything": every task, which only reversible actions accept. */
  | { kind: 'every' }
  | { kind: 'bulk' }
  | { kind: 'missing' };

const TASK_NOUN = '(?:tasks?|to-?dos?|items?|entries|entry|reminders?)';

const BULK = new RegExp(
  [
    '\\b(?:all|everything|every|each|both|them|those|these)\\b',
    '^(?:my|the)\\s+(?:\\w+\\s+)?(?:tasks|to-?dos|items|entries|reminders|list|to-?do\\s+list)$',
    '^(?:tasks|to-?dos|items|list)$',
  ].join('|'),
  'i',
);

/** Phrases that mean every task (not "them", "those", "both": which ones those are is a guess). */
const EVERY = /^(?:all|everything|every\s+(?:single\s+)?(?:task|to-?do|item|one)|(?:all|each)\s+(?:of\s+)?(?:(?:my|the)\s+)?(?:(?:pending|open|remaining|outstanding|current|unfinished|incomplete|completed|done|finished|closed)\s+)?(?:tasks|to-?dos|items|ones)|(?:my|the)\s+(?:whole|entire)\s+(?:list|to-?do\s+list)|everything\s+(?:on|in)\s+(?:my|the)\s+list)$/i;

const LAST = /^(?:it|that|this|that\s+one|this\s+one|that\s+task|this\s+task|the\s+task|the\s+same(?:\s+(?:one|task))?|same\s+one|the\s+last\s+(?:one|task)|the\s+(?:one|task)\s+i\s+just\s+(?:added|created|made|mentioned))$/i;

/** Words that may surround task numbers without changing their meaning. */
const ID_FILLER = new Set(['task', 'tasks', 'todo', 'todos', 'item', 'items', 'number', 'numbers', 'no', 'no.', 'nos', 'num', 'id', 'ids', '#', 'the', 'and', 'or', '&', '+', 'plus', 'also', 'too', 'with']);

/** Trailing words that do not name the task: "from my list", "again", "too". */
function trimTarget(phrase: string): string {
  let t = phrase.trim().replace(/[.!?,;:]+$/, '').trim();
  let before: string;
  do {
    before = t;
    t = t
      .replace(/\s+(?:from|off|in|on|of)\s+(?:my|the)\s+(?:[\w-]+\s+)?(?:list|tasks|to-?dos?|to-?do\s+list|agenda)$/i, '')
      .replace(/\s+(?:again|too|as\s+well|also|for\s+me|please|now|then|instead)$/i, '')
      .trim();
  } while (t !== before);
  return t;
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
};
/** After these a number word is a task number: "task one", "tasks two and three". */
const NUMBER_WORD_AFTER = new Set(['task', 'tasks', 'number', 'numbers', 'item', 'items', '#', 'and', '&']);

/** "task 0", "#99999999999": shaped like a task number but none the database can hold. */
const ID_SHAPE = /^(?:(?:the\s+)?(?:task|item)\s*)?(?:number\s+|no\.?\s*|#)?\d+$/i;

/** "task 1", "tasks 1 and 3", "#2, #4", "task number 3": the numbers, or undefined. */
export function parseIds(phrase: string): number[] | undefined {
  const tokens = phrase
    .toLowerCase()
    .replace(/#/g, ' # ')
    .split(/[\s,;]+/)
    .filter((t) => t !== '');
  const ids: number[] = [];
  let previous = '';
  for (const raw of tokens) {
    const word = NUMBER_WORDS[raw] !== undefined && NUMBER_WORD_AFTER.has(previous) ? String(NUMBER_WORDS[raw]) : undefined;
    const token = word ?? raw;
    previous = raw;
    if (/^\d{1,10}$/.test(token)) {
      const id = Number(token);
      if (id < 1 || id > 2_147_483_647) return undefined;
      if (!ids.includes(id)) ids.push(id);
    } else if (!ID_FILLER.has(token)) {
      return undefined;
    }
  }
  return ids.length > 0 ? ids : undefined;
}

/** "the milk task" → "milk"; "the task called 'Buy milk'" → "Buy milk". */
export function titleQuery(phrase: string): string {
  let t = unquote(phrase);
  let before: string;
  do {
    before = t;
    t = t
      .replace(/^(?:the|my|a|an|one)\s+/i, '')
      .replace(new RegExp(`^${TASK_NOUN}\\s*(?::|called|named|titled|about|for|to|that\\s+says|saying|with)?\\s+`, 'i'), '')
      .replace(/^(?:called|named|titled|about)\s+/i, '')
      .replace(new RegExp(`\\s+(?:${TASK_NOUN}|one)$`, 'i'), '')
      .trim();
    t = unquote(t);
  } while (t !== before);
  return t;
}

export function parseTargets(phrase: string): TargetParse {
  const t = trimTarget(phrase);
  if (t === '' || /^(?:(?:a|the|my)\s+)?(?:task|to-?do|item|one)$/i.test(t)) return { kind: 'missing' };
  if (LAST.test(t)) return { kind: 'refs', refs: [{ kind: 'last' }] };
  const ids = parseIds(t);
  if (ids) return { kind: 'refs', refs: ids.map((id) => ({ kind: 'id', id })) };
  if (ID_SHAPE.test(t)) return { kind: 'missing' };
  // A quoted title may contain any word, even "all"; an unquoted "all"/"them" is bulk.
  // "the task to call all clients" names one task by its title.
  const titled = /^(?:the\s+)?(?:task|to-?do|item)\s+(?:to|called|named|titled|about|for|that\s+says)\s+/i.test(t);
  const quoted = /^["'“‘]/.test(t.replace(/^(?:the\s+)?(?:task\s+)?(?:called\s+|named\s+)?/i, ''));
  if (!quoted && !titled && EVERY.test(t)) return { kind: 'every' };
  if (!quoted && !titled && BULK.test(t)) return { kind: 'bulk' };
  const query = titleQuery(t);
  if (query === '' || LAST.test(query) || /^(?:tasks?|to-?dos?|items?|ones?|as|to)$/i.test(query)) return { kind: 'missing' };
  return { kind: 'refs', refs: [{ kind: 'title', query }] };
}

/** True when the phrase names tasks by number or as "it": safe to act on directly. */
export function isDirectTarget(phrase: string): boolean {
  const parsed = parseTargets(phrase);
  return parsed.kind === 'refs' && parsed.refs.every((r) => r.kind !== 'title');
}
