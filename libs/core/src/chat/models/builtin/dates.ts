/**
 * Date phrases of the builtin model ("due tomorrow", "by friday", "on Dec 24", "in 3 days").
 * Every date is computed from `today`, the user's local calendar date (see localToday), by
 * calendar arithmetic: a replayed turn (same messages, same clock, same zone) gets the same
 * due_date, whatever the server's time zone, and DST changes cannot shift a day.
 */
import { localDate } from '../../../users/time-zone.js';

const DAY_MS = 86_400_000;

const WEEKDAYS: Record<string, number> = {
  sunday: 0, sun: 0, monday: 1, mon: 1, tuesday: 2, tues: 2, tue: 2, wednesday: 3, wed: 3,
  thursday: 4, thurs: 4, thur: 4, thu: 4, friday: 5, fri: 5, saturday: 6, sat: 6,
};

const MONTHS: Record<string, number> = {
  january: 0, jan: 0, february: 1, feb: 1, march: 2, mar: 2, april: 3, apr: 3, may: 4, june: 5,
  jun: 5, july: 6, jul: 6, august: 7, aug: 7, september: 8, sept: 8, sep: 8, october: 9, oct: 9,
  november: 10, nov: 10, december: 11, dec: 11,
};

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8,
  nine: 9, ten: 10, 'a couple of': 2, couple: 2, 'a few': 3, few: 3,
};

// Longest alternatives first: a regex alternation takes the first one that matches.
const byLength = (words: string[]): string => [...words].sort((a, b) => b.length - a.length).join('|');
const WEEKDAY = byLength(Object.keys(WEEKDAYS));
const MONTH = byLength(Object.keys(MONTHS));
const COUNT = `\\d{1,3}|${byLength(Object.keys(NUMBER_WORDS))}`;

/** The date phrases, without their connector; each alternative is a named group. */
const PHRASE = [
  '(?<iso>\\d{4}-\\d{2}-\\d{2})',
  '(?<dayAfter>(?:the\\s+)?day\\s+after\\s+tomorrow)',
  '(?<tomorrow>tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr)',
  '(?<today>today|tonight|this\\s+(?:morning|afternoon|evening)|end\\s+of\\s+(?:the\\s+)?day|eod)',
  `(?<span>in\\s+(?<n>${COUNT})\\s+(?<unit>days?|weeks?|months?))`,
  '(?<nextWeek>next\\s+week|in\\s+a\\s+week)',
  '(?<nextMonth>next\\s+month|in\\s+a\\s+month)',
  '(?<weekEnd>end\\s+of\\s+(?:the\\s+|this\\s+)?week)',
  '(?<weekend>(?:this\\s+|the\\s+|next\\s+)?weekend)',
  `(?<md>(?<m1>${MONTH})\\.?\\s+(?<d1>\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(?<y1>\\d{4}))?)`,
  `(?<dm>(?:the\\s+)?(?<d2>\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?<m2>${MONTH})(?:,?\\s+(?<y2>\\d{4}))?)`,
  `(?<wd>(?:(?:this|next|coming|the)\\s+)?(?<day>${WEEKDAY}))`,
  // A day of the month alone ("on the 5th"): see findDueDate for when it counts.
  '(?<dom>(?:the\\s+)?(?<d3>\\d{1,2})(?:st|nd|rd|th))',
].join('|');

/** Words that announce a date; with one, a date phrase is taken anywhere in the sentence. */
const CONNECTOR = '(?:due|deadline)(?:\\s+date)?(?:\\s*(?::|=|is|on|by|for))?(?:\\s+(?:be|the))?|by|on|for|before|until|till';

const DATE_RE = new RegExp(`(?<![\\w-])(?:(?<conn>${CONNECTOR})\\s+(?:the\\s+)?)?(?:${PHRASE})(?![\\w'’-])`, 'gi');

/**
 * The user's local date at `now` in `timeZone`, as a Date at 00:00 UTC of that calendar date:
 * the `today` every function here takes, so that its UTC fields are the local date's fields.
 */
export function localToday(now: Date, timeZone: string): Date {
  return new Date(`${localDate(now, timeZone)}T00:00:00Z`);
}

export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Same day of a later month, clamped (Jan 31 + 1 month = Feb 28/29). */
function addMonths(date: Date, months: number): Date {
  const first = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(date.getUTCDate(), last)));
}

/** A real calendar date or undefined (2026-02-30 is not one). */
function calendarDate(year: number, month: number, day: number): Date | undefined {
  const date = new Date(Date.UTC(year, month, day));
  if (year < 1 || date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  return date;
}

/** "friday" means the next Friday after today: said on a Friday, it is a week away. */
function nextWeekday(today: Date, weekday: number, includeToday = false): Date {
  const ahead = (weekday - today.getUTCDay() + 7) % 7;
  return addDays(today, ahead === 0 && !includeToday ? 7 : ahead);
}

/** The next 5th (or 31st, ...) from today on: this month's unless it has passed, else the next month that has that day. */
function upcomingDayOfMonth(today: Date, day: number): Date | undefined {
  for (let ahead = 0; ahead <= 2; ahead++) {
    const date = calendarDate(today.getUTCFullYear() + Math.floor((today.getUTCMonth() + ahead) / 12), (today.getUTCMonth() + ahead) % 12, day);
    if (date && date >= today) return date;
  }
  return undefined;
}

/** A day and month without a year: this year's, unless it has passed, then next year's. */
function upcoming(today: Date, month: number, day: number, year: string | undefined): Date | undefined {
  if (year) return calendarDate(Number(year), month, day);
  const thisYear = calendarDate(today.getUTCFullYear(), month, day);
  if (thisYear && thisYear >= today) return thisYear;
  return calendarDate(today.getUTCFullYear() + 1, month, day);
}

function resolve(g: Record<string, string | undefined>, today: Date): Date | undefined {
  if (g.iso) {
    const [y, m, d] = g.iso.split('-').map(Number) as [number, number, number];
    return calendarDate(y, m - 1, d);
  }
  if (g.dayAfter) return addDays(today, 2);
  if (g.tomorrow) return addDays(today, 1);
  if (g.today) return today;
  if (g.span) {
    const n = NUMBER_WORDS[g.n!.toLowerCase()] ?? Number(g.n);
    const unit = g.unit!.toLowerCase();
    if (unit.startsWith('month')) return addMonths(today, n);
    return addDays(today, unit.startsWith('week') ? n * 7 : n);
  }
  if (g.nextWeek) return addDays(today, 7);
  if (g.nextMonth) return addMonths(today, 1);
  if (g.weekEnd) return nextWeekday(today, 5, true);
  if (g.weekend) return nextWeekday(today, 6, true);
  if (g.md) return upcoming(today, MONTHS[g.m1!.toLowerCase()]!, Number(g.d1), g.y1);
  if (g.dm) return upcoming(today, MONTHS[g.m2!.toLowerCase()]!, Number(g.d2), g.y2);
  if (g.day) return nextWeekday(today, WEEKDAYS[g.day.toLowerCase()]!);
  if (g.dom) return upcomingDayOfMonth(today, Number(g.d3));
  return undefined;
}

export interface DateMatch {
  /** 'YYYY-MM-DD' */
  date: string;
  /** The span of the phrase and its connector in the searched text. */
  start: number;
  end: number;
}

/** "on the 5th" says a date; "for the 5th anniversary" and "on the 5th floor" do not. */
const DAY_OF_MONTH_CONNECTOR = /^(?:due|deadline|by|on|before|until|till)\b/i;
const CLAUSE_END = /^\s*(?:$|[.,;!?])/;

/**
 * The due date a sentence states. A phrase counts when a connector announces it ("due",
 * "by", "on", ...) or when it ends the sentence; a bare weekday inside a title
 * ("plan monday meeting") stays part of the title. A day of the month alone ("the 5th") counts
 * only after a connector other than "for", and only where its clause ends ("pay rent on the 5th,
 * high priority"), since an ordinal inside a title is rarely a date ("on the 5th floor"), unless
 * the caller knows the text is a date (`isDate`: "move task 3 to the 12th").
 */
export function findDueDate(text: string, today: Date, isDate = false): DateMatch | undefined {
  const tail = text.replace(/[\s.!?,;]+$/, '').length;
  let fallback: DateMatch | undefined;
  for (const m of text.matchAll(DATE_RE)) {
    if (!isDate && m.groups?.dom && !(DAY_OF_MONTH_CONNECTOR.test(m.groups.conn ?? '') && CLAUSE_END.test(text.slice(m.index + m[0].length)))) continue;
    const date = resolve(m.groups ?? {}, today);
    if (!date) continue;
    const found = { date: toIsoDate(date), start: m.index, end: m.index + m[0].length };
    if (m.groups?.conn) return found;
    if (found.end >= tail) fallback = found;
  }
  return fallback;
}

/** The date when the whole text is one date phrase ("tomorrow", "due on 2026-12-24"). */
export function parseDatePhrase(text: string, today: Date): string | undefined {
  const trimmed = text.trim().replace(/[.!?]+$/, '');
  const match = findDueDate(trimmed, today, true);
  return match && match.start === 0 && match.end === trimmed.length ? match.date : undefined;
}

/** "2026-03-06 (tomorrow)", with "overdue" for past dates of pending tasks (before the user's today). */
export function describeDueDate(iso: string, today: Date, pending = true): string {
  const days = Math.round((Date.parse(`${iso}T00:00:00Z`) - today.getTime()) / DAY_MS);
  if (Number.isNaN(days)) return iso;
  if (days === 0) return `${iso} (today)`;
  if (days === 1) return `${iso} (tomorrow)`;
  if (days < 0 && pending) return `${iso} (overdue)`;
  return iso;
}
