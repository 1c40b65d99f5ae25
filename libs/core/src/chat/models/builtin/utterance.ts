/**
 * The utterance parser: one user message → one intent. It removes what people add around
 * a command ("hey,", "could you please", "pls", "?!"), recognises small talk, then tries the
 * command parsers from the most to the least specific. Nothing here depends on history.
 */
import { parseCompound } from './compound.js';
import { isActionIntent, type Intent } from './intents.js';
import { parseAdd } from './parse-add.js';
import { parseComplete, parseDelete } from './parse-change.js';
import { parseList } from './parse-list.js';
import { parseFieldEdit, parseStatement, parseUpdate } from './parse-update.js';

const LEADING_FILLER: RegExp[] = [
  /^(?:please|pls|plz|plez|kindly|hey|hi|hello|hiya|yo|ok|okay|k|alright|all\s+right|so|um+|uh+|well|oh|and|also|then|now|just|quickly|quick|assistant|bot|buddy|again)\b[\s,!.:;-]*/i,
  // Discourse words carry no meaning for the request: "Actually, ...", "Wait, ...", "By the way, ...".
  /^(?:actually|wait|hold\s+on|hmm+|hm+|er+m*|ah+|oops|whoops|sorry|right|anyway|anyways|besides|plus|btw|by\s+the\s+way|one\s+more\s+thing|on\s+second\s+thoughts?|in\s+fact|okie|oki|kk|cool|great|perfect|nice|good|thanks|thank\s+you|no(?=\s*,))\b[\s,!.:;-]*/i,
  /^(?:could|can|would|will|won't|wouldn't|cud)\s+(?:you|u|ya)(?:\s+(?:please|pls|plz|kindly|maybe|also|just|mind))*\b[\s,]*/i,
  /^(?:i(?:\s+(?:want|would\s+like|wanna|wish)|'d\s+like)\s+(?:you\s+)?to|i\s+need\s+you\s+to|go\s+ahead\s+and|help\s+me(?:\s+to)?|let's|lets|would\s+you\s+mind|do\s+me\s+a\s+favou?r(?:\s+and)?|be\s+a\s+dear\s+and|time\s+to|i'm\s+going\s+to\s+need\s+you\s+to)\b[\s,]*/i,
  /^(?:there|me)\b[\s,!.]+(?=\S)/i,
];

const TRAILING_FILLER = /(?:^|[\s,]+)(?:please|pls|plz|thanks|thank\s+you|thx|ty|for\s+me|right\s+now|if\s+you\s+can|if\s+possible|if\s+you\s+don't\s+mind|ok|okay|thanks\s+a\s+lot|cheers)$/i;

/** A list item's marker at the start of a line: "-", "*", "•", "1.", "2)", "(3)", and checkboxes "[ ]", "[x]", "☐". */
const LIST_MARKER = /^(?:(?:[-*•·◦‣▪–—+]|\d{1,3}[.)](?=\s)|\(\d{1,3}\))\s*)?(?:(?:\[[\sxX✓✔]?\]|[☐☑☒✅])\s*)?/;

export function normalize(input: string): string {
  const text = input
    .replace(/(\w)[’`](\w)/g, "$1'$2")
    .replace(/[\t ]+/g, ' ')
    .replace(/\s*\n+\s*/g, '\n')
    .trim();
  // Markers are layout, not words: only a message over several lines is a list.
  return text.includes('\n') ? text.split('\n').map((line) => line.replace(LIST_MARKER, '').trim()).join('\n') : text;
}

/** The command without politeness and final punctuation. */
export function stripFiller(text: string): string {
  let t = text.replace(/[\s.!?…]+$/, '');
  let before: string;
  do {
    before = t;
    for (const re of LEADING_FILLER) t = t.replace(re, '');
    t = t.replace(TRAILING_FILLER, '').replace(/[\s.!?…,]+$/, '').trim();
  } while (t !== before);
  return t;
}

const GREETING = /^(?:hi|hello|hey|heya|hiya|howdy|yo|hola|greetings|good\s+(?:morning|afternoon|evening|day)|what'?s\s+up|sup|hey\s+there|hi\s+there|hello\s+there)(?:\s+(?:there|again|bot|assistant|buddy|friend|all|everyone))*$/i;
const THANKS = /^(?:(?:thanks|thank|you|u|so|much|a|lot|very|thx|ty|cheers|great|awesome|perfect|cool|nice|ok|okay|got|it|good|excellent|wonderful|amazing|sweet|brilliant|appreciated|appreciate|again|that's|thats|all|for|now|bye|goodbye|later|see|ya|job|work|lovely|fine|sounds|that|is|looks|great|wow|yes|yep|yeah|sure|alright|right)\s*)+$/i;
const DISMISS = /^(?:done|all\s+done|i'm\s+done|i\s+am\s+done|that's\s+it|that\s+is\s+all|never\s*mind|nevermind|nvm|forget\s+(?:it|that|about\s+it)|cancel|no|nope|stop|no\s+thanks|not\s+now)$/i;
const HELP = /^(?:help|help\s+me|\?+|what\s+(?:else\s+)?can\s+(?:you|i)\s+(?:do|say|ask)|what\s+do\s+you\s+do|how\s+does\s+(?:this|it)\s+work|how\s+do\s+(?:i\s+use\s+(?:you|this)|you\s+work)|what\s+are\s+(?:you|your\s+commands)|who\s+are\s+you|commands|menu|options|instructions|usage|start|get\s+started|what\s+should\s+i\s+say)$/i;

function social(text: string): Intent | undefined {
  const t = text.toLowerCase().replace(/[.!?,…]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (t === '') return { kind: 'help' };
  if (GREETING.test(t)) return { kind: 'greeting' };
  if (HELP.test(t)) return { kind: 'help' };
  if (DISMISS.test(t)) return { kind: 'dismiss' };
  if (THANKS.test(t) && !/^(?:it|that|is|all|yes|yep|yeah|sure|right)$/.test(t)) return { kind: 'thanks' };
  return undefined;
}

/** The command parsers, most specific first. */
export function parseCommand(text: string, today: Date): Intent | undefined {
  return (
    parseFieldEdit(text, today) ??
    parseAdd(text, today) ??
    parseList(text, today) ??
    parseComplete(text) ??
    parseDelete(text) ??
    parseUpdate(text, today)
  );
}

/** "I need to call mom" adds a task; "I need to delete task 3" is still a delete. */
const NEED_TO = /^(?:i\s+(?:need|have|got|must|should|gotta|ought)\s*(?:to\s+)?|i've\s+got\s+to|i\s+must\s+|don't\s+forget\s+to|remember\s+that\s+i\s+(?:need|have)\s+to)\s*(.+)$/i;

function statement(text: string, today: Date): Intent | undefined {
  const need = NEED_TO.exec(text);
  if (need) {
    const rest = need[1] ?? '';
    const command = parseCommand(rest, today);
    // Only a command on numbered tasks (or "it") or a list question; "finish the report" is a new task.
    if (command && (command.kind === 'list' || (isActionIntent(command) && command.targets.every((r) => r.kind !== 'title')))) return command;
    return parseAdd(`add ${rest}`, today);
  }
  // "task 3 is due tomorrow", "it's high priority", "#2 should be low priority"
  const subject = /^((?:task|item)\s*(?:number\s+|no\.?\s*|#)?\d+|#\d+|it|that|this)\b(.*)$/i.exec(text);
  if (subject) return parseStatement(text, today);
  return undefined;
}

/** "would you mind marking task 2 as done": the command verb is a gerund. */
const GERUNDS: Record<string, string> = {
  adding: 'add', creating: 'create', deleting: 'delete', removing: 'remove', marking: 'mark', completing: 'complete',
  showing: 'show', listing: 'list', changing: 'change', updating: 'update', renaming: 'rename', reopening: 'reopen',
  setting: 'set', making: 'make', moving: 'move', finding: 'find', searching: 'search', checking: 'check',
};

export function parseUtterance(input: string, today: Date): Intent {
  const text = normalize(input);
  const small = social(text);
  if (small) return small;
  const core = stripFiller(text).replace(/^\w+ing\b/i, (word) => GERUNDS[word.toLowerCase()] ?? word);
  return (
    social(core) ??
    parseCompound(core, (part) => parseCommand(stripFiller(part), today)) ??
    parseCommand(core, today) ??
    statement(core, today) ?? { kind: 'unknown' }
  );
}
