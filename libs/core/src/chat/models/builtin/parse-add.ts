/**
 * "Add a task to buy groceries", "add a high priority task to call the bank due friday",
 * "add eggs, bread and butter", "remind me to call mom tomorrow": one add intent with one
 * or more new tasks. Attributes are taken out before the title so it stays clean.
 */
import { cleanTitle, extractDescription, extractDueDate, extractPriority, PRIORITY_WORD, quotedPhrases, toPriority } from './attributes.js';
import { parseDatePhrase } from './dates.js';
import type { Intent, NewTask, TaskChanges } from './intents.js';

const ADD_VERB = /^(?:add|create|insert|put|note\s+down|jot\s+down|write\s+down|note|record|log|save|capture|track|schedule|set\s+up|new|remind\s+me\s+(?:to|about)|remember\s+to|don't\s+let\s+me\s+forget\s+(?:to|about))\b\s*/i;

/** "make"/"set" only add when a new thing follows: "make a task", "set a reminder". */
const MAKE_NEW = /^(?:make|set|start|open)\s+(?=(?:a|an|another|one|new)\s+(?:new\s+)?(?:\S+\s+priority\s+|urgent\s+|important\s+)?(?:task|to-?do|reminder|item|note|entry)\b)/i;

const COUNT = '(?:two|three|four|five|six|seven|eight|nine|ten|\\d+|some|a\\s+few|few|several|multiple|more|these|the\\s+following|following|couple\\s+of|a\\s+couple\\s+of)';

/** "a new high priority task to", "two tasks:", "an urgent reminder about". */
const TASK_HEAD = new RegExp(
  `^(?:(?:an?|one|another|the|my|new|${COUNT})\\s+)*` +
    `(?:(?<prio>${PRIORITY_WORD})(?:[\\s-]+priority)?\\s+|new\\s+)*` +
    `(?<noun>tasks?|to-?dos?|items?|reminders?|entries|entry)\\b` +
    '\\s*(?::|-|—|\\bto\\b|\\bfor\\b|\\bcalled\\b|\\bnamed\\b|\\btitled\\b|\\bsaying\\b|\\bthat\\s+says\\b|\\babout\\b|\\bof\\b)?\\s*',
  'i',
);

/** "to my list", "on my shopping list", "to the todo list". */
const DESTINATION = /\s*\b(?:to|on|onto|in|into)\s+(?:my|the)\s+(?:[\w-]+\s+){0,2}?(?:list|tasks|to-?dos|to-?do\s+list|agenda|reminders)$/i;

/** Items of a list are short; a long clause with a comma is one title. */
const MAX_ITEM_WORDS = 5;

/** plural: "tasks" was said; undefined: no task noun, so a comma list is several tasks. */
function splitItems(text: string, plural: boolean | undefined): string[] {
  if (plural === false) return [text];
  const hasComma = /[,;\n]/.test(text);
  if (!hasComma && !plural) return [text];
  const parts = text
    .split(/\s*[,;\n]\s*/)
    .flatMap((part) => part.split(/\s+(?:and|&|plus)\s+/i))
    .map((part) => part.replace(/^(?:and|&|also)\s+/i, '').trim())
    .filter((part) => part !== '');
  if (!plural && parts.some((part) => part.split(/\s+/).length > MAX_ITEM_WORDS)) return [text];
  return parts;
}

/** Text after an add verb, or undefined when the sentence is not an add. */
function addBody(text: string): string | undefined {
  const make = MAKE_NEW.exec(text);
  if (make) return text.slice(make[0].length);
  const verb = ADD_VERB.exec(text);
  if (verb) return text.slice(verb[0].length);
  // "new task: buy milk", "task: buy milk", "todo - buy milk"
  const head = /^(?:new\s+)?(?:task|to-?do|reminder)\s*[:\-—]\s*/i.exec(text);
  return head ? text.slice(head[0].length) : undefined;
}

/**
 * Everyday verbs a task title starts with. "Add buy eggs and buy bread" is two tasks because
 * each part has its own verb; "add salt and pepper" is one, because "pepper" starts no task.
 */
const TASK_VERBS = new Set(
  `apply ask back backup bake book bring buy call cancel celebrate charge check clean collect confirm cook deposit do
  download draft drive drop dust edit email empty exercise feed fetch file fill find finish fix fold follow get go grab
  hang install invite iron learn listen mail make meet message mop move mow order organise organize pack paint pay
  phone pick plan post practice practise prepare print publish read recycle refill register remind renew repair
  replace reply research return review ring run schedule see sell send set ship shop sign sort start study submit
  sweep take tell text thank throw tidy transfer unpack update upgrade upload vacuum visit vote walk wash watch water
  withdraw wrap write`.split(/\s+/),
);

/** "buy eggs", "call the bank": a task verb followed by what it is about. */
const hasOwnVerb = (part: string): boolean => {
  const words = part.trim().split(/\s+/);
  return words.length >= 2 && TASK_VERBS.has((words[0] ?? '').toLowerCase());
};

/** Parts joined by "and", "&", "then", ";" or commas, when every part starts with its own verb. */
function splitByVerbs(text: string): string[] | undefined {
  const parts = text.split(/\s*(?:[,;]\s*(?:and\s+|&\s+)?(?:then\s+|also\s+)?|\s+(?:and|&)\s+(?:then\s+|also\s+)?|\s+then\s+)/i).filter((p) => p.trim() !== '');
  return parts.length >= 2 && parts.every(hasOwnVerb) ? parts : undefined;
}

/** One line of a list: its own priority, due date and description, then the title. */
function lineTasks(line: string, shared: TaskChanges, today: Date): NewTask[] {
  const attrs: TaskChanges = { ...shared };
  const described = extractDescription(line);
  if (described.description) attrs.description = described.description;
  const prioritised = extractPriority(described.rest);
  if (prioritised.priority) attrs.priority = prioritised.priority;
  const dated = extractDueDate(prioritised.rest, today);
  if (dated.due_date) attrs.due_date = dated.due_date;
  const rest = dated.rest.replace(DESTINATION, '').trim();
  // "due 2026-02-30" is no calendar date: the caller asks rather than keep it in the title.
  if (/\b\d{4}-\d{2}-\d{2}\b/.test(rest)) return [];
  const titles = (splitByVerbs(rest) ?? [rest]).map(cleanTitle).filter((t) => t !== '');
  return titles.map((title) => ({ title, ...attrs }));
}

/**
 * "add:\n- buy apples\n- pay rent due friday": one task per line (markers are gone after
 * normalize), each with its own attributes. A first line ending in ":" is a heading whose
 * date or priority applies to every item ("for tomorrow:"), and whose other words are a label.
 */
function parseLines(text: string, shared: TaskChanges, today: Date): Intent {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const attrs: TaskChanges = { ...shared };
  const heading = /^(.*):$/.exec(lines[0] ?? '');
  if (heading) {
    lines.shift();
    const prioritised = extractPriority(heading[1] ?? '');
    if (prioritised.priority) attrs.priority = prioritised.priority;
    const date = extractDueDate(prioritised.rest, today).due_date;
    if (date) attrs.due_date = date;
  }
  const perLine = lines.map((line) => lineTasks(line, attrs, today));
  if (perLine.some((tasks) => tasks.length === 0)) {
    const hasBadDate = lines.some((line) => /\b\d{4}-\d{2}-\d{2}\b/.test(line));
    return { kind: 'clarify', reason: hasBadDate ? 'bad-date' : 'missing-title', action: 'add' };
  }
  const tasks = perLine.flat();
  if (tasks.length === 0) return { kind: 'clarify', reason: 'missing-title', action: 'add' };
  return { kind: 'add', tasks };
}

export function parseAdd(text: string, today: Date): Intent | undefined {
  const body = addBody(text);
  if (body === undefined) return undefined;
  // "add a description to task 3" is an update; parse-change handles it.
  if (/^(?:an?\s+|the\s+)?(?:description|notes?|details?|due\s+date|deadline|priority)\s+(?:to|for|on)\b/i.test(body)) return undefined;
  // "add task 3 to my list" names an existing task: not a new one.
  if (/^(?:task\s*)?#?\d+$/i.test(body.replace(DESTINATION, '').trim())) return { kind: 'unknown' };

  let rest = body;
  // "a task to buy eggs, bread and butter" is one task; "add eggs, bread and butter" three.
  let plural: boolean | undefined;
  const attrs: TaskChanges = {};
  const head = TASK_HEAD.exec(rest);
  if (head) {
    plural = /s$/i.test(head.groups?.noun ?? '') || /^(?:two|three|four|five|six|seven|eight|nine|ten|\d+|several|multiple)\b/i.test(rest);
    const prio = head.groups?.prio ? toPriority(head.groups.prio) : undefined;
    if (prio) attrs.priority = prio;
    rest = rest.slice(head[0].length);
  }
  rest = rest.replace(DESTINATION, '').trim();
  // A list over several lines: "add:\n buy apples\n buy pears", "add these tasks:\n ...".
  if (rest.includes('\n')) return parseLines(rest.replace(/^(?:(?:the\s+)?following|these|those|this)?\s*:?\s*\n/i, ''), attrs, today);
  // "a task for tomorrow: dentist" puts the date before the title.
  const leadingDate = /^([^:]{2,40}):\s*(.+)$/.exec(rest);
  const leading = leadingDate ? parseDatePhrase(leadingDate[1] ?? '', today) : undefined;
  if (leadingDate && leading) {
    attrs.due_date = leading;
    rest = leadingDate[2] ?? '';
  }

  const described = extractDescription(rest);
  if (described.description) attrs.description = described.description;
  const prioritised = extractPriority(described.rest);
  if (prioritised.priority) attrs.priority = prioritised.priority;
  const dated = extractDueDate(prioritised.rest, today);
  if (dated.due_date) attrs.due_date = dated.due_date;
  rest = dated.rest.replace(DESTINATION, '').trim();
  // "due 2026-02-30" is no calendar date: ask rather than keep it in the title.
  if (/\b\d{4}-\d{2}-\d{2}\b/.test(rest)) return { kind: 'clarify', reason: 'bad-date', action: 'add' };

  // Quoted titles win: `add 'Pay rent' and 'Call mom'` is exactly two tasks.
  const quoted = quotedPhrases(rest);
  const onlyQuotes = quoted.phrases.length > 0 && /^(?:[\s,;&]|and|plus|also)*$/i.test(quoted.outside);
  // "a task to review and update the docs" said one task; otherwise each verb starts one.
  const byVerb = plural === false ? undefined : splitByVerbs(rest);
  const titles = (onlyQuotes ? quoted.phrases : (byVerb ?? splitItems(rest, plural))).map(cleanTitle).filter((t) => t !== '');
  if (titles.length === 0) return { kind: 'clarify', reason: 'missing-title', action: 'add' };
  const tasks: NewTask[] = titles.map((title) => ({ title, ...attrs }));
  return { kind: 'add', tasks };
}
