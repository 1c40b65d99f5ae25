/**
 * Dates as the API speaks them (YYYY-MM-DD). "Today" is the account's day (`user.time_zone`, the
 * zone the API and the assistant use for "today" and "overdue"), not the browser's.
 */

/** The calendar date at `now` in `timeZone` (an IANA name); the browser's own zone if it does not know that one. */
export function todayIso(timeZone?: string, now = new Date()): string {
  try {
    // en-CA formats a date as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  }
}

/** The date `days` after (or before) `isoDate`: calendar days, whatever the zone. */
export function addDays(isoDate: string, days: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** An incomplete task whose due date is before `today`. */
export function isOverdue(task: { completed: boolean; due_date: string | null }, today: string): boolean {
  return !task.completed && task.due_date !== null && task.due_date < today;
}

/** "today", "tomorrow", "yesterday", or a short date such as "Mon, Dec 1" (with the year when it is not `today`'s). */
export function describeDueDate(isoDate: string, today: string): string {
  if (isoDate === today) return 'today';
  if (isoDate === addDays(today, 1)) return 'tomorrow';
  if (isoDate === addDays(today, -1)) return 'yesterday';
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const date = new Date(year, month - 1, day);
  const sameYear = isoDate.slice(0, 4) === today.slice(0, 4);
  return date.toLocaleDateString(undefined, { weekday: 'short', month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
}
