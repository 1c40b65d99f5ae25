/**
 * Changes to an existing task: "Change task 1 to Buy organic groceries", "rename task 2 to X",
 * "update task 2: X", "make task 3 high priority", "set task 3 priority to low",
 * "move task 3 to friday", "remove the due date of task 3", "add a note to task 3: X".
 * The forms are tried from the most to the least specific; a title target ("the milk task")
 * is only accepted when no number/"it" reading exists.
 */
import { cleanTitle, extractDueDate, extractPriority, PRIORITY_WORD, toPriority, unquote } from './attributes.js';
import { parseDatePhrase } from './dates.js';
import type { ClarifyReason, Intent, TaskChanges } from './intents.js';
import { isDirectTarget, parseTargets } from './targets.js';

type Field = keyof TaskChanges;

const FIELD = '(title|name|priority|due\\s+date|deadline|due|date|description|details?|notes?|desc)';
const SEP = '(?:\\s+(?:to|into|as|is|=)\\s+|\\s*:\\s*|\\s+-\\s+)';

const UPDATE_VERB = /^(change|update|edit|modify|set|make|move|reschedule|postpone|push(?:\s+back)?|delay|switch|turn|rename|retitle|re-name|mark|flag|give|assign|fix|correct|prioriti[sz]e|deprioriti[sz]e|bump(?:\s+up)?|raise|lower)\b\s*(.*)$/i;

const FIELD_FIRST = new RegExp(`^(?:the\\s+|a\\s+|an\\s+|its\\s+)?${FIELD}\\s+(?:of|for|on|in)\\s+(.+?)${SEP}(.+)$`, 'i');
const TARGET_FIELD = new RegExp(`^(.+?)(?:'s)?\\s+${FIELD}(?:${SEP}|\\s+)(.+)$`, 'i');
const TARGET_VALUE = new RegExp(`^(.+?)${SEP}(.+)$`, 'i');

const NO_VALUE = /^(?:none|nothing|no\s+(?:due\s+)?date|no\s+deadline|null|empty|blank|never)$/i;
const DATE_VERB = /^(?:move|reschedule|postpone|push|push\s+back|delay)$/i;

type Built = { changes: TaskChanges } | { reason: ClarifyReason };

function fieldOf(word: string): Field {
  const w = word.toLowerCase();
  if (w === 'title' || w === 'name') return 'title';
  if (w === 'priority') return 'priority';
  if (/^(?:description|details?|notes?|desc)$/.test(w)) return 'description';
  return 'due_date';
}

function valueFor(field: Field, raw: string, today: Date): Built {
  const value = raw.trim().replace(/^(?:be|now|become|read|say|be\s+called|called)\s+/i, '');
  if (field === 'title') return { changes: { title: cleanTitle(value) } };
  if (field === 'description') return { changes: { description: unquote(value) } };
  if (field === 'priority') {
    const priority = toPriority(value.replace(/^(?:an?\s+)/i, '').replace(/[\s-]+priority$/i, '').replace(/[.!]+$/, ''));
    return priority ? { changes: { priority } } : { reason: 'missing-change' };
  }
  if (NO_VALUE.test(value)) return { changes: { due_date: null } };
  const date = parseDatePhrase(value.replace(/^(?:due|for|on|by)\s+/i, ''), today);
  return date ? { changes: { due_date: date } } : { reason: 'bad-date' };
}

/** "to high priority" / "to friday" / "to Buy organic groceries": which field is meant. */
function inferValue(verb: string, raw: string, today: Date): Built {
  const value = raw.trim().replace(/^(?:be|now|become|read|say|be\s+called|called)\s+/i, '');
  const priority = new RegExp(`^(?:an?\\s+)?(?:priority\\s+)?(${PRIORITY_WORD})(?:[\\s-]+priority)?[.!]*$`, 'i').exec(value);
  if (priority) return { changes: { priority: toPriority(priority[1] ?? '')! } };
  const date = parseDatePhrase(value.replace(/^(?:due|for|on|by|until)\s+/i, ''), today);
  if (date) return { changes: { due_date: date } };
  if (DATE_VERB.test(verb)) return NO_VALUE.test(value) ? { changes: { due_date: null } } : { reason: 'bad-date' };
  // "Buy organic groceries due friday": a title, plus an explicit due date at its end.
  const due = /^(.+?)\s+due\s+(.+)$/i.exec(value);
  const dueDate = due ? parseDatePhrase(due[2] ?? '', today) : undefined;
  if (due && dueDate) return { changes: { title: cleanTitle(due[1] ?? ''), due_date: dueDate } };
  return { changes: { title: cleanTitle(value) } };
}

function toIntent(targetPhrase: string, built: Built): Intent {
  const parsed = parseTargets(targetPhrase);
  if (parsed.kind === 'bulk' || parsed.kind === 'every') return { kind: 'clarify', reason: 'bulk', action: 'update' };
  if (parsed.kind === 'missing') return { kind: 'clarify', reason: 'missing-target', action: 'update' };
  if ('reason' in built) return { kind: 'clarify', reason: built.reason, action: 'update' };
  if (built.changes.title === '') return { kind: 'clarify', reason: 'missing-change', action: 'update' };
  return { kind: 'update', targets: parsed.refs, changes: built.changes };
}

/** "make task 3 high priority", "reschedule task 3 for next week": attributes around a target. */
function attributesForm(rest: string, today: Date): Intent | undefined {
  const prioritised = extractPriority(rest);
  const dated = extractDueDate(prioritised.rest, today);
  const changes: TaskChanges = {};
  if (prioritised.priority) changes.priority = prioritised.priority;
  if (dated.due_date) changes.due_date = dated.due_date;
  if (Object.keys(changes).length === 0) return undefined;
  const target = dated.rest
    .replace(/\s+(?:is|should\s+be|needs\s+to\s+be|must\s+be|will\s+be|as|to|be|a|an|due|for|with|have|has|now)$/i, '')
    .replace(/\s+(?:is|should\s+be|needs\s+to\s+be|must\s+be|as|to|be)$/i, '')
    .replace(/'s$/i, '')
    .replace(/^(?:for|of|on)\s+/i, '');
  return toIntent(target, { changes });
}

/** The text after an update verb; undefined when no reading fits. */
export function parseUpdateBody(verb: string, rest: string, today: Date): Intent | undefined {
  const v = verb.toLowerCase();
  if (/^(?:rename|retitle|re-name)$/.test(v)) {
    const m = /^(.+?)(?:\s+(?:to|as|into)\s+|\s*:\s*)(.+)$/i.exec(rest);
    return m ? toIntent(m[1] ?? '', { changes: { title: cleanTitle(m[2] ?? '') } }) : toIntent(rest, { reason: 'missing-change' });
  }
  if (/^(?:prioriti[sz]e|deprioriti[sz]e|bump(?:\s+up)?|raise|lower)$/.test(v)) {
    const target = rest.replace(/^(?:the\s+)?priority\s+(?:of|on|for)\s+/i, '').replace(/(?:'s)?\s+priority$/i, '');
    return toIntent(target, { changes: { priority: /^(?:de|lower)/.test(v) ? 'low' : 'high' } });
  }
  const fieldFirst = FIELD_FIRST.exec(rest);
  if (fieldFirst) return toIntent(fieldFirst[2] ?? '', valueFor(fieldOf(fieldFirst[1] ?? ''), fieldFirst[3] ?? '', today));
  const targetValue = TARGET_VALUE.exec(rest);
  if (targetValue && isDirectTarget(targetValue[1] ?? '')) return toIntent(targetValue[1] ?? '', inferValue(v, targetValue[2] ?? '', today));
  const targetField = TARGET_FIELD.exec(rest);
  if (targetField && parseTargets(targetField[1] ?? '').kind !== 'missing') {
    return toIntent(targetField[1] ?? '', valueFor(fieldOf(targetField[2] ?? ''), targetField[3] ?? '', today));
  }
  const attributes = attributesForm(rest, today);
  if (attributes) return attributes;
  if (targetValue) return toIntent(targetValue[1] ?? '', inferValue(v, targetValue[2] ?? '', today));
  // "edit task 2" names a task but no change.
  if (isDirectTarget(rest)) return { kind: 'clarify', reason: DATE_VERB.test(v) ? 'bad-date' : 'missing-change', action: 'update' };
  return undefined;
}

const CLEAR_FIELD_FIRST = /^(?:remove|clear|delete|drop|unset|erase|reset)\s+(?:the\s+)?(due\s+date|deadline|date|description|notes?|details|priority)\s+(?:of|from|for|on)\s+(.+)$/i;
const CLEAR_TARGET_FIRST = /^(?:remove|clear|delete|drop|unset|erase|reset)\s+(.+?)(?:'s)?\s+(due\s+date|deadline|description|notes?|details|priority)$/i;
const ADD_FIELD = new RegExp(`^(?:add|attach|put)\\s+(?:an?\\s+|the\\s+)?${FIELD}\\s+(?:to|for|on)\\s+(.+?)(?:\\s*:\\s*|\\s+(?:saying|that\\s+says|of|as|reading)\\s+|\\s+-\\s+)(.+)$`, 'i');

function cleared(field: Field): TaskChanges {
  if (field === 'priority') return { priority: 'medium' };
  return field === 'description' ? { description: '' } : { due_date: null };
}

/**
 * A sentence about a task without a verb: "task 3 is due tomorrow", "#2 should be low
 * priority". Only explicit fields and attributes count; "task 2 is no longer needed" is
 * not a new title.
 */
export function parseStatement(text: string, today: Date): Intent | undefined {
  const targetField = TARGET_FIELD.exec(text);
  if (targetField && isDirectTarget(targetField[1] ?? '')) {
    return toIntent(targetField[1] ?? '', valueFor(fieldOf(targetField[2] ?? ''), targetField[3] ?? '', today));
  }
  return attributesForm(text, today);
}

/** Forms whose verb belongs to another action: "remove the due date of task 3", "add a note to task 3: X". */
export function parseFieldEdit(text: string, today: Date): Intent | undefined {
  const clear = CLEAR_FIELD_FIRST.exec(text);
  if (clear) return toIntent(clear[2] ?? '', { changes: cleared(fieldOf(clear[1] ?? '')) });
  const clearTarget = CLEAR_TARGET_FIRST.exec(text);
  if (clearTarget && isDirectTarget(clearTarget[1] ?? '')) return toIntent(clearTarget[1] ?? '', { changes: cleared(fieldOf(clearTarget[2] ?? '')) });
  const addField = ADD_FIELD.exec(text);
  if (addField) return toIntent(addField[2] ?? '', valueFor(fieldOf(addField[1] ?? ''), addField[3] ?? '', today));
  return undefined;
}

export function parseUpdate(text: string, today: Date): Intent | undefined {
  const m = UPDATE_VERB.exec(text);
  if (!m) return undefined;
  return parseUpdateBody(m[1] ?? '', (m[2] ?? '').trim(), today);
}
