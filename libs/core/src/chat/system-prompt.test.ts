import { describe, expect, it } from 'vitest';
import { buildSystemPrompt, timeZoneOfSystemPrompt } from './system-prompt.js';

describe('buildSystemPrompt', () => {
  // 20:30 UTC on Thursday 2026-03-05.
  const now = new Date('2026-03-05T20:30:00Z');

  it("states the user's local date, weekday and zone", () => {
    expect(buildSystemPrompt(now, 'Asia/Karachi')).toContain("Today is Friday, 2026-03-06, in the user's time zone (Asia/Karachi).");
    expect(buildSystemPrompt(now, 'UTC')).toContain("Today is Thursday, 2026-03-05, in the user's time zone (UTC).");
    expect(buildSystemPrompt(now, 'America/Los_Angeles')).toContain("Today is Thursday, 2026-03-05, in the user's time zone (America/Los_Angeles).");
    expect(buildSystemPrompt(new Date('2026-03-05T10:30:00Z'), 'Pacific/Kiritimati')).toContain('Today is Friday, 2026-03-06');
    expect(buildSystemPrompt(now)).toContain('(UTC)');
  });

  it("tells the model to answer in the user's language and keep titles in the user's words", () => {
    const prompt = buildSystemPrompt(now, 'Asia/Karachi');
    expect(prompt).toMatch(/answer in the language the user writes in/);
    expect(prompt).toMatch(/keep task titles and descriptions in the user's own words and language: never translate them/);
  });

  it('reads its own zone back (the builtin model uses it)', () => {
    for (const zone of ['Asia/Karachi', 'UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires']) {
      expect(timeZoneOfSystemPrompt(buildSystemPrompt(now, zone))).toBe(zone);
    }
    expect(timeZoneOfSystemPrompt('You manage todos.')).toBeUndefined();
  });
});
