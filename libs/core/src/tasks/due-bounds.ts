/**
 * Due-date bounds of a task list, as a client may write them: a calendar date, or a day named
 * relative to the user's today ("due_before=today" lists overdue tasks). Relative days are the
 * user's local dates in their time zone, never the server's or UTC's.
 */
import type { Queryable } from '../platform/db/index.js';
import { addDaysToDate, findUserTimeZone, localDate } from '../users/index.js';

const RELATIVE_DAYS = { yesterday: -1, today: 0, tomorrow: 1 } as const;
type RelativeDay = keyof typeof RELATIVE_DAYS;

const isRelative = (value: string | undefined): value is RelativeDay => value !== undefined && value in RELATIVE_DAYS;

/** The bounds as calendar dates; the user's zone is read only when a bound is relative. */
export async function resolveDueBounds(
  db: Queryable,
  userId: string,
  bounds: { before?: string; after?: string },
  now: Date = new Date(),
): Promise<{ before?: string; after?: string }> {
  if (!isRelative(bounds.before) && !isRelative(bounds.after)) return bounds;
  const today = localDate(now, await findUserTimeZone(db, userId));
  const resolve = (value: string | undefined) => (isRelative(value) ? addDaysToDate(today, RELATIVE_DAYS[value]) : value);
  return { before: resolve(bounds.before), after: resolve(bounds.after) };
}
