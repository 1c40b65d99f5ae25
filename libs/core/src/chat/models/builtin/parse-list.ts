/**
 * Questions about the list: "Show my tasks", "what's left to do?", "show completed tasks",
 * "list everything", "find tasks about milk". One list intent with a status, and a search
 * text when the user looks for something.
 */
import { unquote } from './attributes.js';
import { addDays, parseDatePhrase, toIsoDate } from './dates.js';
import type { DueFilter, Intent, ListStatus } from './intents.js';

const LIST_VERB = /^(?:show|list|display|view|see|(?:get|give)\s+(?:me|us)|get\s+(?:my|all)|fetch|print|read|pull\s+up|bring\s+up|check|review|tell|what|what's|whats|which|how\s+many|how\s+much|do\s+i\s+(?:still\s+)?have|have\s+i|did\s+i|are\s+there|is\s+there|any|anything|let\s+me\s+see|can\s+i\s+see|remind\s+me\s+what)\b/i;

const SEARCH = /^(?:find|search(?:\s+(?:for|tasks\s+for|my\s+tasks\s+for))?|look\s+(?:for|up)|lookup|where\s+(?:is|are))\b\s*(.*)$/i;

const TOPIC = /\b(?:tasks?|to-?dos?|items?|anything|something|ones?)\s+(?:about|containing|mentioning|matching|related\s+to|regarding|concerning|that\s+mentions?|that\s+contains?|with\s+the\s+words?|called|named|titled|that\s+says?)\s+(.+)$/i;

/** Words that make a question about the list rather than about something else. */
const LISTY = /\b(?:to\s+do|tasks?|to-?dos?|list|items?|everything|all|pending|completed?|done|finished|finish|left|remaining|outstanding|open|agenda|plate|due|unfinished|incomplete|overdue)\b/i;

/** A bare noun phrase: "tasks", "my to-do list", "pending", "completed ones". */
const BARE = /^(?:(?:my|all|the|all\s+my|all\s+the)\s+)?(?:(?:pending|open|completed|done|finished|remaining|outstanding|incomplete|current)\s+)?(?:tasks|to-?dos?|list|to-?do\s+list|items|ones)$|^(?:pending|completed|everything|list|tasks|to-?dos?)$/i;

/** An explicit task number: "task 3", "#3". */
const TASK_NUMBER = /\b(?:task|item)\s*(?:number\s+|no\.?\s*|#)?\d+|#\d+/i;

export function listStatus(text: string): ListStatus {
  // "to-do list" names the list; only "to do" on its own means pending.
  const s = text.toLowerCase().replace(/\b(?:to[\s-]?do\s+list|todo\s+list|to-?dos|todos|task\s+list)\b/g, 'tasks');
  if (/\b(?:pending|open|incomplete|uncompleted|unfinished|remaining|left|outstanding|undone|active|upcoming|overdue|current|not\s+(?:yet\s+)?(?:done|completed?|finished)|to\s+do|todo|still|due)\b/.test(s)) return 'pending';
  if (/\b(?:completed?|done|finished|finish|checked(?:\s+off)?|closed|ticked(?:\s+off)?|accomplished|achieved)\b/.test(s)) return 'completed';
  return 'all';
}

function cleanQuery(text: string): string {
  let q = text.replace(/^(?:(?:all|my|the|any|a|an|for|me|of)\s+)*(?:(?:pending|open|completed|done|finished|unfinished|remaining)\s+)?(?:tasks?|to-?dos?|items?|ones?)?\s*(?:about|containing|mentioning|matching|with|for|called|named|titled|regarding|on|that\s+mention)?\s*/i, '');
  q = q.replace(/\s+(?:that|which)\s+(?:are|is)\s+(?:still\s+)?(?:not\s+)?(?:pending|open|done|completed?|finished)$/i, '');
  q = q.replace(/\s+(?:tasks?|to-?dos?|items?|(?:in|on|from)\s+my\s+(?:list|tasks))$/i, '');
  q = unquote(q);
  return /^(?:tasks?|pending|completed|done|everything|all|list)?$/i.test(q) ? '' : q;
}

function limitOf(text: string): number | undefined {
  const m = /\b(?:first|top|latest|last|next)\s+(\d{1,3})\b/i.exec(text) ?? /\b(\d{1,3})\s+(?:tasks|to-?dos|items)\b/i.exec(text);
  if (!m) return undefined;
  return Math.min(100, Math.max(1, Number(m[1])));
}

/** Strict bounds around one local date: due on `date`. */
function dueOn(date: Date): DueFilter {
  return { due_after: toIsoDate(addDays(date, -1)), due_before: toIsoDate(addDays(date, 1)) };
}

/** The date that a run of words starts with: "friday please" gives Friday. */
function leadingDate(words: string, today: Date): Date | undefined {
  const parts = words.trim().replace(/[.!?,;:]+$/, '').replace(/^the\s+/i, '').split(/\s+/);
  for (let n = Math.min(parts.length, 5); n > 0; n--) {
    const iso = parseDatePhrase(parts.slice(0, n).join(' '), today);
    if (iso) return new Date(`${iso}T00:00:00Z`);
  }
  return undefined;
}

/** Monday of the week `date` is in (weeks run Monday to Sunday). */
function mondayOf(date: Date): Date {
  return addDays(date, -((date.getUTCDay() + 6) % 7));
}

/**
 * A question about due dates, as strict bounds on the user's local dates: "overdue" (before
 * today), "due today/tomorrow/on friday/on March 10", "tomorrow's tasks", "due by friday"
 * (on or before), "due before/after a date", "due this week" (today to Sunday), "due next week"
 * (Monday to Sunday).
 */
function dueFilter(text: string, today: Date): DueFilter | undefined {
  if (/\b(?:overdue|past\s+due)\b/i.test(text)) return { due_before: toIsoDate(today) };
  if (/\b(?:due|for)\s+this\s+week\b|\bthis\s+week'?s\s+(?:tasks|to-?dos|list)\b/i.test(text)) {
    return { due_after: toIsoDate(addDays(today, -1)), due_before: toIsoDate(addDays(mondayOf(today), 7)) };
  }
  if (/\b(?:due|for)\s+next\s+week\b|\bnext\s+week'?s\s+(?:tasks|to-?dos|list)\b/i.test(text)) {
    const monday = addDays(mondayOf(today), 7);
    return { due_after: toIsoDate(addDays(monday, -1)), due_before: toIsoDate(addDays(monday, 7)) };
  }
  const possessive = /\b(today|tomorrow)'?s\s+(?:tasks|to-?dos|list)\b/i.exec(text);
  if (possessive) return dueOn(possessive[1]!.toLowerCase() === 'today' ? today : addDays(today, 1));
  const bound = /\bdue\s+(before|by|until|till|no\s+later\s+than|after|on|for)?\s*(.+)$/i.exec(text) ?? /\b(?:tasks?|to-?dos?|anything|something)\s+(for|on)\s+(.+)$/i.exec(text);
  if (!bound) return undefined;
  const date = leadingDate(bound[2]!, today);
  if (!date) return undefined;
  const word = (bound[1] ?? 'on').toLowerCase();
  if (word === 'before') return { due_before: toIsoDate(date) };
  if (word === 'after') return { due_after: toIsoDate(date) };
  if (word !== 'on' && word !== 'for') return { due_before: toIsoDate(addDays(date, 1)) };
  return dueOn(date);
}

function listIntent(text: string, query: string, today: Date): Intent {
  const intent: Extract<Intent, { kind: 'list' }> = { kind: 'list', status: listStatus(text) };
  const due = dueFilter(text, today);
  if (due) {
    intent.due = due;
    intent.status = 'pending';
  }
  if (query) intent.query = query;
  const limit = limitOf(text);
  if (limit !== undefined) intent.limit = limit;
  return intent;
}

export function parseList(text: string, today: Date): Intent | undefined {
  const search = SEARCH.exec(text);
  if (search) {
    if (/^(?:task\s*)?#?\d+$/i.test((search[1] ?? '').trim())) return listIntent('all', '', today);
    const topic = TOPIC.exec(search[1] ?? '');
    return listIntent(text, cleanQuery(topic ? (topic[1] ?? '') : (search[1] ?? '')), today);
  }
  if (BARE.test(text)) return listIntent(text, '', today);
  const verb = LIST_VERB.exec(text);
  if (!verb) return undefined;
  const rest = text.slice(verb[0].length).trim();
  // "check off task 2" completes; "give task 3 a high priority" changes it.
  if (/^off\b/i.test(rest)) return undefined;
  if (/^check$/i.test(verb[0]) && !BARE.test(rest.replace(/^(?:on\s+)?/i, '')) && !/^(?:what|which|if|whether)\b/i.test(rest)) return undefined;
  if (TASK_NUMBER.test(text) && !/^(?:show|list|display|view|see|get|fetch|print|what|what's|whats)$/i.test(verb[0])) return undefined;
  if (rest !== '' && !LISTY.test(rest) && !/^(?:me|us)$/i.test(rest)) return undefined;
  const topic = TOPIC.exec(rest);
  return listIntent(text, topic ? cleanQuery(topic[1] ?? '') : '', today);
}
