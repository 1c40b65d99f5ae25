import { describe, expect, it } from 'vitest';
import { addDaysToDate, canonicalTimeZone, localDate, localDay, TimeZoneSchema } from './time-zone.js';

describe('canonicalTimeZone', () => {
  it.each([
    ['Asia/Karachi', 'Asia/Karachi'],
    ['asia/karachi', 'Asia/Karachi'],
    ['AMERICA/LOS_ANGELES', 'America/Los_Angeles'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
    ['Pacific/Kiritimati', 'Pacific/Kiritimati'],
    // Aliases Intl accepts are kept as written, not swapped for ICU's own name.
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['US/Pacific', 'US/Pacific'],
  ])('accepts %s as %s', (input, stored) => {
    expect(canonicalTimeZone(input)).toBe(stored);
  });

  it.each(['Mars/Olympus_Mons', 'Asia/Karachii', '+05:00', 'UTC+5', 'GMT+05:00', '', ' ', 'Europe/', '../etc/passwd', 'A'.repeat(65)])(
    'refuses %j',
    (input) => {
      expect(canonicalTimeZone(input)).toBeUndefined();
    },
  );

  it('explains a refusal in words a person can act on', () => {
    const result = TimeZoneSchema.safeParse('Mars/Olympus_Mons');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('"Mars/Olympus_Mons" is not a known IANA time zone; use a name like "Europe/Berlin", "Asia/Karachi" or "UTC"');
    expect(TimeZoneSchema.parse('  europe/berlin ')).toBe('Europe/Berlin');
  });
});

describe('localDay', () => {
  it('gives each zone its own date at the same instant', () => {
    // 20:30 UTC on Thursday: already Friday 01:30 in Karachi, still Thursday in Los Angeles.
    const evening = new Date('2026-03-05T20:30:00Z');
    expect(localDay(evening, 'Asia/Karachi')).toEqual({ date: '2026-03-06', weekday: 'Friday' });
    expect(localDay(evening, 'UTC')).toEqual({ date: '2026-03-05', weekday: 'Thursday' });
    expect(localDay(evening, 'America/Los_Angeles')).toEqual({ date: '2026-03-05', weekday: 'Thursday' });
    // 03:00 UTC on Friday: Friday in Karachi and UTC, still Thursday evening in Los Angeles.
    const early = new Date('2026-03-06T03:00:00Z');
    expect(localDate(early, 'Asia/Karachi')).toBe('2026-03-06');
    expect(localDate(early, 'UTC')).toBe('2026-03-06');
    expect(localDay(early, 'America/Los_Angeles')).toEqual({ date: '2026-03-05', weekday: 'Thursday' });
  });

  it('handles the date line: Kiritimati (UTC+14) is two dates ahead of Pago Pago (UTC-11)', () => {
    const instant = new Date('2026-03-05T10:30:00Z');
    expect(localDay(instant, 'Pacific/Kiritimati')).toEqual({ date: '2026-03-06', weekday: 'Friday' });
    expect(localDay(instant, 'Pacific/Pago_Pago')).toEqual({ date: '2026-03-04', weekday: 'Wednesday' });
    expect(localDate(new Date('2026-03-05T09:59:00Z'), 'Pacific/Kiritimati')).toBe('2026-03-05');
  });

  it.each([
    // Spring forward (Sunday 2026-03-29, 02:00 CET → 03:00 CEST at 01:00 UTC).
    ['2026-03-28T22:59:00Z', '2026-03-28'],
    ['2026-03-28T23:00:00Z', '2026-03-29'],
    ['2026-03-29T21:59:00Z', '2026-03-29'],
    // Midnight is now 22:00 UTC: a fixed +1 h offset would still say the 29th.
    ['2026-03-29T22:00:00Z', '2026-03-30'],
    // Fall back (Sunday 2026-10-25, 03:00 CEST → 02:00 CET at 01:00 UTC).
    ['2026-10-24T21:59:00Z', '2026-10-24'],
    ['2026-10-24T22:00:00Z', '2026-10-25'],
    // Midnight is now 23:00 UTC: a fixed +2 h offset would already say the 26th.
    ['2026-10-25T22:30:00Z', '2026-10-25'],
    ['2026-10-25T23:00:00Z', '2026-10-26'],
  ])('Europe/Berlin at %s is %s', (instant, date) => {
    expect(localDate(new Date(instant), 'Europe/Berlin')).toBe(date);
  });

  it('falls back to UTC for a stored zone this runtime does not know', () => {
    expect(localDate(new Date('2026-03-05T23:30:00Z'), 'Atlantis/Capital')).toBe('2026-03-05');
  });
});

describe('addDaysToDate', () => {
  it('counts calendar days across months, years and leap days', () => {
    expect(addDaysToDate('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDaysToDate('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDaysToDate('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDaysToDate('2026-03-01', -1)).toBe('2026-02-28');
  });
});
