import { describe, expect, it } from 'vitest';
import { addDays, describeDueDate, isOverdue, todayIso } from './dates';

// 2026-03-05 10:30 UTC: already the 6th in Kiritimati (UTC+14), still the 5th in Los Angeles.
const INSTANT = new Date('2026-03-05T10:30:00Z');

describe("the account's day", () => {
  it('is the date in the account zone, not the browser one', () => {
    expect(todayIso('Pacific/Kiritimati', INSTANT)).toBe('2026-03-06');
    expect(todayIso('America/Los_Angeles', INSTANT)).toBe('2026-03-05');
    expect(todayIso('UTC', new Date('2026-12-31T23:59:59Z'))).toBe('2026-12-31');
  });

  it('falls back to the browser zone for a zone it does not know', () => {
    expect(todayIso('Not/AZone', INSTANT)).toMatch(/^2026-03-0[456]$/);
  });

  it('marks overdue and names days against that date', () => {
    const dueOnTheFifth = { completed: false, due_date: '2026-03-05' };
    expect(isOverdue(dueOnTheFifth, todayIso('Pacific/Kiritimati', INSTANT))).toBe(true);
    expect(isOverdue(dueOnTheFifth, todayIso('America/Los_Angeles', INSTANT))).toBe(false);
    expect(isOverdue({ ...dueOnTheFifth, completed: true }, '2026-03-06')).toBe(false);
    expect(describeDueDate('2026-03-05', todayIso('Pacific/Kiritimati', INSTANT))).toBe('yesterday');
    expect(describeDueDate('2026-03-05', todayIso('America/Los_Angeles', INSTANT))).toBe('today');
    expect(describeDueDate('2026-03-06', '2026-03-05')).toBe('tomorrow');
  });

  it('adds calendar days across month and year ends', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
