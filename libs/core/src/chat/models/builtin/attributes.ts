/**
 * Task attributes stated inside a sentence: priority, due date, description, and the
 * cleanup that turns what remains into a title. Each extractor returns the sentence
 * without the words it consumed, so the title never keeps "high priority" or "due friday".
 */
import { findDueDate } from './dates.js';

export type Priority = 'low' | 'medium' | 'high';

const PRIORITY_WORDS: Record<string, Priority> = {
  high: 'high', highest: 'high', top: 'high', urgent: 'high', important: 'high', critical: 'high',
  medium: 'medium', normal: 'medium', mid: 'medium', moderate: 'medium', regular: 'medium', average: 'medium',
  low: 'low', lowest: 'low', minor: 'low', 'not urgent': 'low', unimportant: 'low',
};

export const PRIORITY_WORD = '(?:not\\s+urgent|highest|high|top|urgent|important|critical|medium|normal|mid|moderate|regular|average|lowest|low|minor|unimportant)';

export function toPriority(word: string): Priority | undefined {
  return PRIORITY_WORDS[word.toLowerCase().replace(/\s+/g, ' ')];
}

const LEAD = '(?:^|,\\s*|\\s+)';
const PRIORITY_PATTERNS: RegExp[] = [
  // "with high priority", "as a low-priority", ", high priority"
  new RegExp(`${LEAD}(?:and\\s+)?(?:(?:set|make|mark|give)\\s+it\\s+)?(?:(?:with|at|as|set\\s+to|to|and|is|it's|its|of)\\s+)?(?:an?\\s+)?(${PRIORITY_WORD})[\\s-]+priority\\b`, 'i'),
  // "priority high", "priority: low", "with priority set to medium"
  new RegExp(`${LEAD}(?:(?:with|and)\\s+)?(?:a\\s+)?priority(?:\\s+(?:level|of|is|to|set\\s+to|=))*\\s*:?\\s*(${PRIORITY_WORD})\\b`, 'i'),
  // a trailing "urgent!" / "it's important" / "asap"
  /(?:^|,\s*|\s+)(?:(?:it's|it\s+is|this\s+is|which\s+is|marked\s+as|as)\s+)?(urgent|important|critical|asap)\s*!*\s*$/i,
  // a leading "urgent:"
  /^(urgent|important)\s*[:!-]\s*/i,
];

/** Removes text[start, end) and tidies the seam (double spaces, dangling commas). */
export function cut(text: string, start: number, end: number): string {
  return `${text.slice(0, start)} ${text.slice(end)}`
    .replace(/\s+,/g, ',')
    .replace(/,\s*,/g, ',')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[\s,;:-]+|[\s,;:-]+$/g, '')
    .replace(/\s+(?:and|with|that\s+is|which\s+is)$/i, '');
}

export function extractPriority(text: string): { priority?: Priority; rest: string } {
  for (const re of PRIORITY_PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const word = (m[1] ?? '').toLowerCase();
    const priority = word === 'asap' ? 'high' : toPriority(word);
    if (priority) return { priority, rest: cut(text, m.index, m.index + m[0].length) };
  }
  return { rest: text };
}

export function extractDueDate(text: string, today: Date): { due_date?: string; rest: string } {
  const found = findDueDate(text, today);
  if (!found) return { rest: text };
  return { due_date: found.date, rest: cut(text, found.start, found.end) };
}

const DESCRIPTION_PATTERNS: RegExp[] = [
  // "with the description: two litres", "with a note saying call first"
  /(?:,\s*|\s+)(?:with|and)\s+(?:an?\s+|the\s+)?(?:description|details?|notes?|comment|info)\s*(?::|=|-|saying|that\s+says|reading|of|as)?\s*(.+)$/i,
  // "description: two litres", "notes - call first"
  /(?:,\s*|\s+|^)(?:description|details?|notes?|desc)\s*[:=-]\s*(.+)$/i,
  /(?:,\s*|\s+)(?:described\s+as)\s+(.+)$/i,
];

/** A description consumes the rest of the sentence: it is free text. */
export function extractDescription(text: string): { description?: string; rest: string } {
  for (const re of DESCRIPTION_PATTERNS) {
    const m = re.exec(text);
    const value = m ? unquote(m[1] ?? '') : '';
    if (m && value) return { description: value, rest: cut(text, m.index, text.length) };
  }
  return { rest: text };
}

const QUOTES = `'"“”‘’\``;

/** Strips one pair of surrounding quotes and trailing sentence punctuation. */
export function unquote(text: string): string {
  let t = text.trim().replace(/[.!?;:,]+$/, '').trim();
  if (t.length >= 2 && QUOTES.includes(t[0]!) && QUOTES.includes(t[t.length - 1]!)) t = t.slice(1, -1).trim();
  return t;
}

/** Quoted phrases of a sentence, e.g. `add 'Pay rent' and "Call mom"`. */
export function quotedPhrases(text: string): { phrases: string[]; outside: string } {
  const re = /(?:^|(?<=[\s(,:]))(?:"([^"]+)"|“([^”]+)”|‘([^’]+)’|'([^']+)')(?=$|[\s),.!?;:])/g;
  const phrases: string[] = [];
  for (const m of text.matchAll(re)) {
    const phrase = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim();
    if (phrase) phrases.push(phrase);
  }
  return { phrases, outside: text.replace(re, ' ').replace(/\s+/g, ' ').trim() };
}

/** A title as stored: no quotes, no final punctuation, first letter upper-case. */
export function cleanTitle(text: string): string {
  let t = unquote(text.replace(/\s+/g, ' ')).replace(/^(?:to|that|about)\s+/i, '').replace(/^(?:an?)\s+(?=\S+\s)/i, '');
  // A title typed with caps lock on ("BUY GROCERIES") reads better in sentence case.
  if (/\s/.test(t) && /\p{Lu}.*\p{Lu}/u.test(t) && t === t.toUpperCase()) t = t.toLowerCase();
  return t.charAt(0).toUpperCase() + t.slice(1);
}
