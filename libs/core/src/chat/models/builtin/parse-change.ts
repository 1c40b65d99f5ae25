/**
 * Completing, reopening and deleting: "Mark task 1 as done", "complete tasks 1 and 3",
 * "reopen task 2", "mark it as not done", "Delete task 1", "delete buy milk".
 * The object goes through parseTargets: "mark all my tasks as done" completes every pending
 * task (reversible); deleting "all"/"everything" is refused, never guessed.
 */
import type { Intent, TargetAction, TaskRef } from './intents.js';
import { isDirectTarget, parseTargets } from './targets.js';

const DONE = '(?:done|complete|completed|finished|checked(?:\\s+off)?|ticked(?:\\s+off)?|crossed\\s+off|closed|resolved|accomplished)';
const UNDONE = '(?:not\\s+(?:yet\\s+)?(?:done|complete|completed|finished)|undone|incomplete|uncompleted|unfinished|pending|open|to\\s*do|to-do|active|unchecked|outstanding|not\\s+started|in\\s+progress|new)';

/** "mark task 1 as done", "set it to completed", "mark task 2 as not done". */
const MARK = new RegExp(
  `^(?:mark|set|flag|put|change|update|move|make|switch|turn)\\s+(.+?)\\s+(?:(?:as|to|to\\s+be|back\\s+to|back\\s+as|back\\s+into|into|as\\s+being|back)\\s+)?(?:(${UNDONE})|(${DONE}))$`,
  'i',
);

/** "complete task 1", "check off task 2", "I finished the milk task". */
const DONE_VERB = /^(?:complete|finish|check\s+off|tick\s+off|cross\s+off|cross\s+out|check|tick|close|resolve|done\s+with|finished(?:\s+with)?|completed|i(?:'ve|\s+have)?\s+(?:just\s+|already\s+|now\s+)?(?:finished|completed|done)(?:\s+with)?|i\s+did)\s+(.+)$/i;

/** "cross task 2 off my list", "check it off". */
const OFF_FORM = /^(?:cross|check|tick)\s+(.+?)\s+off\b.*$/i;

const REOPEN_VERB = /^(?:re-?open|un-?check|un-?tick|un-?mark|un-?complete|un-?finish|reactivate|revive|restore|resume)\s+(.+?)(?:\s+(?:as\s+)?(?:not\s+done|pending|open|incomplete))?$/i;

/** "task 3 is done", "it's done", "#3 done": only with a number or "it". */
const DONE_STATEMENT = new RegExp(
  `^(.+?)(?:'s|\\s+(?:is|are|was|were|has\\s+been|have\\s+been|got|should\\s+be))?\\s+(?:now\\s+|all\\s+|finally\\s+|already\\s+)?(?:(${UNDONE})|(${DONE}))$`,
  'i',
);

const DELETE_VERB = /^(?:delete|remove|erase|drop|trash|bin|scrap|discard|cancel|get\s+rid\s+of|throw\s+(?:away|out)|forget(?:\s+about)?|kill|nuke|axe|clear|wipe|purge|ditch|dump|empty|eliminate|destroy)\b\s*(.*)$/i;

/** "start over", "reset my list": delete everything, which is never done. */
const RESET = /^(?:start\s+(?:over|fresh|from\s+scratch)|reset(?:\s+(?:my|the|all|everything).*)?|wipe\s+the\s+slate(?:\s+clean)?|clean\s+(?:up\s+)?(?:my|the)\s+(?:list|tasks))$/i;

function targetIntent(phrase: string, action: TargetAction, build: (refs: TaskRef[]) => Intent): Intent {
  const parsed = parseTargets(phrase);
  // Completing or reopening every task can be undone the same way; deleting them cannot.
  if (parsed.kind === 'every' && (action === 'complete' || action === 'reopen')) return { kind: 'complete-all', completed: action === 'complete' };
  if (parsed.kind === 'bulk' || parsed.kind === 'every') return { kind: 'clarify', reason: 'bulk', action };
  if (parsed.kind === 'missing') return { kind: 'clarify', reason: 'missing-target', action };
  return build(parsed.refs);
}

function completion(phrase: string, completed: boolean): Intent {
  return targetIntent(phrase, completed ? 'complete' : 'reopen', (targets) => ({ kind: 'complete', targets, completed }));
}

export function parseComplete(text: string): Intent | undefined {
  // A bare "mark as done" / "complete" names no task.
  if (/^(?:mark|set)\s+(?:as\s+)?(?:done|complete|completed|finished)$|^(?:complete|finish|check\s+off|tick\s+off)$/i.test(text)) {
    return { kind: 'clarify', reason: 'missing-target', action: 'complete' };
  }
  if (/^(?:re-?open|un-?check|un-?complete|mark\s+(?:as\s+)?(?:not\s+done|undone|incomplete))$/i.test(text)) {
    return { kind: 'clarify', reason: 'missing-target', action: 'reopen' };
  }
  const mark = MARK.exec(text);
  if (mark) return completion(mark[1] ?? '', mark[2] === undefined);
  const reopen = REOPEN_VERB.exec(text);
  if (reopen) return completion(reopen[1] ?? '', false);
  const off = OFF_FORM.exec(text);
  if (off) return completion(off[1] ?? '', true);
  const verb = DONE_VERB.exec(text);
  if (verb) return completion(verb[1] ?? '', true);
  const statement = DONE_STATEMENT.exec(text);
  if (statement && isDirectTarget(statement[1] ?? '')) return completion(statement[1] ?? '', statement[2] === undefined);
  return undefined;
}

export function parseDelete(text: string): Intent | undefined {
  if (RESET.test(text)) return { kind: 'clarify', reason: 'bulk', action: 'delete' };
  const m = DELETE_VERB.exec(text);
  if (!m) return undefined;
  const rest = (m[1] ?? '').trim();
  if (rest === '' && /^(?:clear|wipe|purge|empty)$/i.test(text)) return { kind: 'clarify', reason: 'bulk', action: 'delete' };
  return targetIntent(rest, 'delete', (targets) => ({ kind: 'delete', targets }));
}
