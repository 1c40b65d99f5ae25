/**
 * The user's day. A user's `time_zone` is an IANA name ("Asia/Karachi"), and "today",
 * "tomorrow" and "overdue" are calendar dates in that zone. All zone math is Intl's (the ICU
 * time-zone database Node ships), never a hand-written offset table, so DST and date-line
 * zones come out right.
 */
import { z } from 'zod';

export const DEFAULT_TIME_ZONE = 'UTC';

/** IANA names only: letters first, then letters, digits, "_", "+", "-", "/" ("Etc/GMT+5"); no "+05:00". */
const NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

let supported: readonly string[] | undefined;
const supportedZones = (): readonly string[] => (supported ??= Intl.supportedValuesOf('timeZone'));

function resolvedZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * The zone's name as it is stored, or undefined when Intl does not know it. Case is fixed
 * ("asia/karachi" → "Asia/Karachi"); aliases Intl accepts ("UTC", "Etc/GMT+5", "US/Pacific")
 * are kept as the user wrote them rather than replaced by ICU's canonical name.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!NAME_SHAPE.test(name)) return undefined;
  const resolved = resolvedZone(name);
  if (resolved === undefined) return undefined;
  if (resolved.toLowerCase() === name.toLowerCase()) return resolved;
  const lower = name.toLowerCase();
  return supportedZones().find((zone) => zone.toLowerCase() === lower) ?? name;
}

/** An IANA time-zone name; a name Intl does not know is a 400 that says what is expected. */
export const TimeZoneSchema = z
  .string()
  .trim()
  .transform((name, ctx) => {
    const zone = canonicalTimeZone(name);
    if (zone === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${name.slice(0, 64)}" is not a known IANA time zone; use a name like "Europe/Berlin", "Asia/Karachi" or "UTC"` });
      return z.NEVER;
    }
    return zone;
  })
  .meta({ description: 'IANA time-zone name; dates such as "today" and "overdue" are computed in it', example: 'Asia/Karachi' });

/** Day formatters by stored zone name; zone names are a small set, the cap only guards memory. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 1_000;

/**
 * The date-and-weekday formatter of a zone, made once per zone (making one costs as much as
 * hundreds of uses). A zone this runtime does not know (an older ICU than the one that stored it)
 * gets UTC's.
 */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    const zone = resolvedZone(timeZone) === undefined ? DEFAULT_TIME_ZONE : timeZone;
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'long' });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface LocalDay {
  /** 'YYYY-MM-DD' in the zone. */
  date: string;
  /** 'Monday' ... 'Sunday'. */
  weekday: string;
}

/** The calendar date and weekday at `now` in `timeZone`. */
export function localDay(now: Date, timeZone: string): LocalDay {
  const parts = formatterFor(timeZone).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, weekday: part('weekday') };
}

/** The user's local date at `now`, 'YYYY-MM-DD'. */
export function localDate(now: Date, timeZone: string): string {
  return localDay(now, timeZone).date;
}

/** The local date `days` after (or before) `date`, 'YYYY-MM-DD'; calendar days, so DST does not matter. */
export function addDaysToDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
